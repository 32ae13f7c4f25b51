// A sweep whose trials run on a real one-node Slurm cluster (the `slurm` fixture), placed there by
// its sweep file (`placement:`), with a stand-in trainer (tests/auto/tune/fake_trainer.py) whose
// values are closed forms of its parameters: a TPE sweep with ASHA pruning — each trial a Slurm job,
// its reports and the pruner's verdicts through the job folder's files, trials beyond the node's
// CPUs queued by Slurm (the trial's row says so while it waits), every value the closed form's —
// and a grid sweep as one Slurm job array.
#include "core/common/job.h"
#include "core/store/database.h"
#include "core/tune/sweep_runner.h"
#include "core/workspace/workspace.h"

#include "tests/support/test_support.h"

#include <QProcess>
#include <QThread>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

#include <cmath>
#include <mutex>

using namespace orrery;
using namespace orrery::tune;

namespace {

const QString kFakeTrainer = QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/tune/fake_trainer.py");

double closedForm(double lr, bool tanh) { return 1 - std::pow(std::log10(lr) + 2.5, 2) / 10 - (tanh ? 0.1 : 0.0); }

QString slurm(const QString &program, const QStringList &args)
{
    QProcess p;
    p.start(program, args);
    p.waitForFinished(60000);
    return QString::fromLocal8Bit(p.readAllStandardOutput() + p.readAllStandardError()).trimmed();
}

} // namespace

class TestSlurmSweep : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<workspace::Workspace> m_ws;

    QString root() const { return m_ws->root(); }

    SweepSpec spec(const QString &name, const QByteArray &body)
    {
        const QString path = root() + QStringLiteral("/%1.yaml").arg(name);
        testing::writeFile(path, "name: " + name.toUtf8() + "\ntrain: train.yaml\n" + body);
        auto s = loadSweepFile(path);
        if (!s)
            qFatal("%s", qPrintable(s.status().message()));
        return *s;
    }

    // Runs the sweep on a worker with its own connection; `onJobText` sees each trial's job text
    // as the database holds it, read by this thread while the sweep runs.
    Result<SweepOutcome> run(const SweepSpec &s, QStringList *jobTexts)
    {
        SweepRunOptions o;
        o.cliPath = kFakeTrainer;
        o.pollMs = 20;
        Result<SweepOutcome> out = internalError(QStringLiteral("did not run"));
        common::Job job(QStringLiteral("sweep"), [&](common::JobContext &ctx) {
            auto db = store::Database::open(m_ws->databasePath());
            if (!db)
                return db.status();
            SweepRunner runner(root(), **db, o);
            out = runner.start(s, &ctx);
            return out.status();
        });
        job.start();
        SweepStore store(m_ws->database());
        while (!job.wait(100)) {
            auto sweep = store.find(s.name);
            if (!sweep || !*sweep)
                continue;
            const QVector<Trial> trials = store.trials((*sweep)->id).value();
            for (const Trial &t : trials)
                if (!t.job.isEmpty() && !jobTexts->contains(t.job))
                    jobTexts->append(t.job);
        }
        return out;
    }

    QVector<Trial> trialsOf(const QString &name)
    {
        SweepStore store(m_ws->database());
        auto sweep = store.find(name);
        if (!sweep || !*sweep)
            return {};
        return store.trials((*sweep)->id).value();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(!qEnvironmentVariable("SLURM_CONF").isEmpty(), "SLURM_CONF is not set: the `slurm` CTest fixture starts the test cluster");
        QVERIFY(m_dir.isValid());
        QVERIFY(workspace::Workspace::init(m_dir.path()));
        auto ws = workspace::Workspace::open(m_dir.path());
        QVERIFY2(ws, qPrintable(ws.status().message()));
        m_ws = std::move(*ws);
        testing::writeFile(root() + QStringLiteral("/train.yaml"),
                           "task: classification\n"
                           "data: {path: d.csv, label: y}\n"
                           "model: {hidden: [4], activation: relu}\n"
                           "optimizer: {name: adam, lr: 0.01}\n"
                           "training: {epochs: 9, seed: 9}\n"
                           "tracking: {experiment: sweeps}\n");
    }

    void aTpeSweepWithAshaRunsEachTrialAsASlurmJob()
    {
        // Three at once on a node with fewer CPUs than that (nproc, 2 here, 1 per trial): Slurm queues the third.
        const int cpus = QThread::idealThreadCount();
        const SweepSpec s = spec(QStringLiteral("tpe-on-slurm"),
                                 "metric: val_score\ntrials: 9\nparallel: " + QByteArray::number(cpus + 1) + "\n"
                                 "sampler: {type: tpe, seed: 5, startup_trials: 3}\n"
                                 "pruner: {type: asha, min_resource: 1, reduction_factor: 3}\n"
                                 "placement: {executor: slurm, cpus: 1, memory: 100M}\n"
                                 "params:\n"
                                 "  optimizer.lr: {type: float, low: 1.0e-5, high: 1.0, log: true}\n"
                                 "  model.activation: {choices: [relu, tanh]}\n");
        QCOMPARE(s.placement.executor, QStringLiteral("slurm"));
        QStringList texts;
        auto out = run(s, &texts);
        QVERIFY2(out, qPrintable(out.status().message()));
        QCOMPARE(out->sweep.state, QStringLiteral("finished"));
        const QVector<Trial> trials = trialsOf(s.name);
        QCOMPARE(trials.size(), 9);
        int pruned = 0;
        QSet<QString> jobIds;
        const QRegularExpression ended(QStringLiteral("^succeeded · slurm job (\\d+)$"));
        for (const Trial &t : trials) {
            const double lr = t.params.value(QStringLiteral("optimizer.lr")).toDouble();
            const bool tanh = t.params.value(QStringLiteral("model.activation")).toString() == QLatin1String("tanh");
            QVERIFY2(t.state == TrialState::Complete || t.state == TrialState::Pruned, qPrintable(t.reason));
            if (t.state == TrialState::Complete) {
                QVERIFY(std::abs(*t.value - closedForm(lr, tanh)) < 1e-9);
            } else {
                ++pruned;
                QVERIFY(std::abs(*t.value - closedForm(lr, tanh) * t.steps / 9) < 1e-9);
            }
            // Each trial ran as its own Slurm job, which Slurm recorded with the trial's name and resources.
            const auto m = ended.match(t.job);
            QVERIFY2(m.hasMatch(), qPrintable(t.job));
            jobIds.insert(m.captured(1));
            const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), m.captured(1)});
            QVERIFY2(record.contains(QStringLiteral("JobName=orrery-trial-%1-of-sweep-tpe-on-slurm").arg(t.number)), qPrintable(record));
            QVERIFY2(record.contains(QStringLiteral("JobState=COMPLETED")) && record.contains(QStringLiteral("mem=100M")), qPrintable(record));
        }
        QCOMPARE(jobIds.size(), 9);
        QVERIFY2(pruned >= 1, "ASHA pruned no trial");
        // While it ran, trials were seen queued by Slurm and running on the node.
        QVERIFY2(std::any_of(texts.begin(), texts.end(), [](const QString &t) { return t.startsWith(QStringLiteral("queued · slurm job ")); }), qPrintable(texts.join(QLatin1Char('\n'))));
        const QString host = slurm(QStringLiteral("hostname"), {QStringLiteral("-s")});
        QVERIFY2(std::any_of(texts.begin(), texts.end(), [&](const QString &t) { return t.startsWith(QStringLiteral("running · slurm job ")) && t.endsWith(QStringLiteral(" on ") + host); }),
                 qPrintable(texts.join(QLatin1Char('\n'))));
    }

    void aGridSweepIsOneSlurmJobArray()
    {
        const SweepSpec s = spec(QStringLiteral("grid-on-slurm"),
                                 "metric: val_score\ntrials: 6\nparallel: 2\n"
                                 "sampler: {type: grid, seed: 1}\n"
                                 "placement: {executor: slurm, cpus: 1, memory: 100M}\n"
                                 "params:\n"
                                 "  optimizer.lr: {choices: [0.001, 0.01, 0.1]}\n"
                                 "  model.activation: {choices: [relu, tanh]}\n");
        QStringList texts;
        auto out = run(s, &texts);
        QVERIFY2(out, qPrintable(out.status().message()));
        QCOMPARE(out->sweep.state, QStringLiteral("finished"));
        const QVector<Trial> trials = trialsOf(s.name);
        QCOMPARE(trials.size(), 6);
        // One array: every trial is a task "ID_i" of the same job id, i its place in the array.
        const QRegularExpression task(QStringLiteral("^succeeded · slurm job (\\d+)_(\\d+)$"));
        QSet<QString> arrays;
        QSet<int> tasks;
        QSet<QString> configurations;
        for (const Trial &t : trials) {
            QCOMPARE(t.state, TrialState::Complete);
            const double lr = t.params.value(QStringLiteral("optimizer.lr")).toDouble();
            const bool tanh = t.params.value(QStringLiteral("model.activation")).toString() == QLatin1String("tanh");
            QVERIFY(std::abs(*t.value - closedForm(lr, tanh)) < 1e-9);
            configurations.insert(QString::number(lr) + (tanh ? QStringLiteral("/tanh") : QStringLiteral("/relu")));
            const auto m = task.match(t.job);
            QVERIFY2(m.hasMatch(), qPrintable(t.job));
            arrays.insert(m.captured(1));
            tasks.insert(m.captured(2).toInt());
        }
        QCOMPARE(configurations.size(), 6); // the whole grid: 3 learning rates × 2 activations
        QCOMPARE(arrays.size(), 1);
        QCOMPARE(tasks, (QSet<int>{0, 1, 2, 3, 4, 5}));
        const QString record = slurm(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), *arrays.begin()});
        QCOMPARE(record.split(QLatin1Char('\n'), Qt::SkipEmptyParts).size(), 6);
        QVERIFY2(record.contains(QStringLiteral("JobName=orrery-trials-of-sweep-grid-on-slurm")), qPrintable(record));
        // At most two at once: Slurm held the others back with the array's own limit.
        QVERIFY2(std::any_of(texts.begin(), texts.end(), [](const QString &t) { return t.endsWith(QStringLiteral(" · JobArrayTaskLimit")); }),
                 qPrintable(texts.join(QLatin1Char('\n'))));
    }

    void aStageSweepKeepsItsTrialsHere()
    {
        const QString path = root() + QStringLiteral("/stage-sweep.yaml");
        testing::writeFile(path, "name: stage-sweep\nstage: train\nmetric: roc_auc\ntrials: 2\n"
                                 "placement: {executor: slurm}\n"
                                 "params:\n  train.lr: {type: float, low: 0.001, high: 0.1, log: true}\n");
        auto s = loadSweepFile(path);
        QVERIFY2(s, qPrintable(s.status().message()));
        QStringList texts;
        auto out = run(*s, &texts);
        QVERIFY(!out);
        QVERIFY2(out.status().message().contains(QStringLiteral("place the stage in executors.yaml")), qPrintable(out.status().message()));
        QVERIFY(trialsOf(QStringLiteral("stage-sweep")).isEmpty());
    }

    void anUnknownPartitionStopsTheSweepBeforeAnyTrial()
    {
        const SweepSpec s = spec(QStringLiteral("nowhere"),
                                 "metric: val_score\ntrials: 3\n"
                                 "placement: {executor: slurm, partition: nowhere}\n"
                                 "params:\n"
                                 "  optimizer.lr: {type: float, low: 1.0e-5, high: 1.0, log: true}\n");
        QStringList texts;
        auto out = run(s, &texts);
        QVERIFY(!out);
        QVERIFY2(out.status().message().contains(QStringLiteral("'nowhere'")) && out.status().message().contains(QStringLiteral("debug")), qPrintable(out.status().message()));
        QVERIFY(trialsOf(s.name).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestSlurmSweep)
#include "tst_slurm_sweep.moc"
