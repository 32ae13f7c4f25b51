// core/tune: SweepRunner against a stand-in trainer (fake_trainer.py) that speaks the report channel
// and scores each trial by a closed form of its parameters — so every value, every pruning and
// every failure is known: trials run in parallel to the sweep's end, the pruner stops trials early,
// a crashing, hanging, NaN-returning or failing trial is recorded as failed with why and the sweep
// goes on, a stopped sweep resumes without repeating a finished trial, and the tracking run and
// audit entries say what happened.
#include "core/audit/audit_log.h"
#include "core/common/job.h"
#include "core/store/database.h"
#include "core/tracking/tracking_store.h"
#include "core/tune/sweep_runner.h"
#include "core/workspace/workspace.h"

#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <cmath>

using namespace orrery;
using namespace orrery::tune;

namespace {

const QString kFakeTrainer = QStringLiteral(ORRERY_SOURCE_DIR "/tests/auto/tune/fake_trainer.py");

double closedForm(double lr, bool tanh) { return 1 - std::pow(std::log10(lr) + 2.5, 2) / 10 - (tanh ? 0.1 : 0.0); }

} // namespace

class TestSweepRunner : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    std::unique_ptr<workspace::Workspace> m_ws;
    int m_n = 0;

    QString root() const { return m_ws->root(); }

    SweepSpec spec(const QByteArray &body)
    {
        const QString path = root() + QStringLiteral("/sweep%1.yaml").arg(++m_n);
        testing::writeFile(path, "name: s" + QByteArray::number(m_n) + "\ntrain: train.yaml\n" + body);
        auto s = loadSweepFile(path);
        if (!s)
            qFatal("%s", qPrintable(s.status().message()));
        return *s;
    }

    Result<SweepOutcome> run(const SweepSpec &s, QVector<SweepEvent> *events = nullptr, const std::function<bool(const SweepEvent &)> &stopWhen = {},
                             bool resume = false)
    {
        SweepRunOptions o;
        o.cliPath = kFakeTrainer;
        o.pollMs = 2;
        common::Job *jobPtr = nullptr;
        o.onEvent = [&](const SweepEvent &e) {
            if (events)
                events->push_back(e);
            if (stopWhen && stopWhen(e) && jobPtr)
                jobPtr->cancel();
        };
        Result<SweepOutcome> out = internalError(QStringLiteral("did not run"));
        common::Job job(QStringLiteral("sweep"), [&](common::JobContext &ctx) {
            // The runner's database calls happen on this thread: a connection of its own.
            auto db = store::Database::open(m_ws->databasePath());
            if (!db)
                return db.status();
            SweepRunner runner(root(), **db, o);
            out = resume ? runner.resume(s.name, &ctx) : runner.start(s, &ctx);
            return out.status();
        });
        jobPtr = &job;
        job.start();
        job.wait();
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

    void aSweepRunsToItsEndAndThePrunerStopsTrialsEarly()
    {
        const SweepSpec s = spec("metric: val_score\ntrials: 12\nparallel: 3\n"
                                 "sampler: {type: random, seed: 3}\n"
                                 "pruner: {type: asha, min_resource: 1, reduction_factor: 3}\n"
                                 "params:\n"
                                 "  optimizer.lr: {type: float, low: 1.0e-5, high: 1.0, log: true}\n"
                                 "  model.activation: {choices: [relu, tanh]}\n");
        QVector<SweepEvent> events;
        auto out = run(s, &events);
        QVERIFY2(out, qPrintable(out.status().message()));
        QCOMPARE(out->sweep.state, QStringLiteral("finished"));
        QVERIFY(!out->cancelled);
        const QVector<Trial> trials = trialsOf(s.name);
        QCOMPARE(trials.size(), 12);
        int complete = 0, pruned = 0;
        qint64 steps = 0;
        double best = -1e9;
        for (int i = 0; i < trials.size(); ++i) {
            const Trial &t = trials[i];
            QCOMPARE(t.number, i);
            const double lr = t.params.value(QStringLiteral("optimizer.lr")).toDouble();
            const bool tanh = t.params.value(QStringLiteral("model.activation")).toString() == QLatin1String("tanh");
            QVERIFY2(t.state == TrialState::Complete || t.state == TrialState::Pruned, qPrintable(t.reason));
            QVERIFY(t.value.has_value());
            steps += t.steps;
            if (t.state == TrialState::Complete) {
                ++complete;
                QCOMPARE(t.steps, 9);
                QVERIFY(std::abs(*t.value - closedForm(lr, tanh)) < 1e-9);
                best = std::max(best, *t.value);
            } else {
                ++pruned;
                // ASHA judges at its rungs only: 1, 3 (9 is the training's end).
                QVERIFY2(t.steps == 1 || t.steps == 3, qPrintable(QString::number(t.steps)));
                QVERIFY(std::abs(*t.value - closedForm(lr, tanh) * t.steps / 9) < 1e-9); // its last report
                QCOMPARE(t.reason, QStringLiteral("pruned by asha at step %1").arg(t.steps));
            }
        }
        QVERIFY2(pruned >= 4, qPrintable(QStringLiteral("only %1 of 12 pruned").arg(pruned)));
        QCOMPARE(complete + pruned, 12);
        QCOMPARE(out->summary.complete, complete);
        QCOMPARE(out->summary.stepsUsed, steps);
        QVERIFY(steps < 12 * 9);
        QVERIFY(out->best);
        QCOMPARE(*out->best->value, best);
        QCOMPARE(*out->summary.bestValue, best);

        // Each trial's steps are recorded as it reported them.
        SweepStore store(m_ws->database());
        const auto recorded = store.steps(out->sweep.id).value();
        qint64 rows = 0;
        for (const TrialStep &st : recorded) {
            ++rows;
            const Trial &t = trials[st.number];
            QVERIFY(st.step <= t.steps);
        }
        QCOMPARE(rows, steps);

        // Events: a start, every trial started and ended, the end.
        int started = 0, ended = 0;
        for (const auto &e : events) {
            started += e.kind == SweepEvent::Kind::TrialStarted;
            ended += e.kind == SweepEvent::Kind::TrialEnded;
        }
        QCOMPARE(started, 12);
        QCOMPARE(ended, 12);
        QCOMPARE(events.first().kind, SweepEvent::Kind::Started);
        QCOMPARE(events.last().kind, SweepEvent::Kind::Finished);

        // The sweep's tracking run, finished, with the best trial; the audit log says it ran.
        tracking::TrackingStore tracking(m_ws->database());
        auto run = tracking.run(out->sweep.runId);
        QVERIFY2(run, qPrintable(run.status().message()));
        QCOMPARE(run->info.status, tracking::RunStatus::Finished);
        QCOMPARE(run->info.runName, s.name);
        QString bestTag;
        for (const auto &tag : run->tags)
            if (tag.key == QLatin1String("orrery.sweep.best_trial"))
                bestTag = tag.value;
        QCOMPARE(bestTag, QString::number(out->best->number));
        audit::AuditLog log(m_ws->database());
        const auto entries = log.list(20).value();
        QStringList actions;
        for (const auto &e : entries)
            if (e.target == QStringLiteral("sweep %1").arg(s.name))
                actions << e.action;
        QCOMPARE(actions, (QStringList{QStringLiteral("sweep.finished"), QStringLiteral("sweep.created")}));
    }

    void failingTrialsAreRecordedWithWhyAndTheSweepGoesOn()
    {
        // Seeds 2–5 make the stand-in crash, hang, report NaN and exit 3; seed 9 trains normally.
        const SweepSpec s = spec("metric: val_score\ntrials: 6\nparallel: 2\ntrial_timeout: 2s\n"
                                 "sampler: {type: random, seed: 1}\npruner: none\n"
                                 "enqueue:\n"
                                 "  - {optimizer.lr: 0.01, training.seed: 2}\n"
                                 "  - {optimizer.lr: 0.01, training.seed: 3}\n"
                                 "  - {optimizer.lr: 0.01, training.seed: 4}\n"
                                 "  - {optimizer.lr: 0.01, training.seed: 5}\n"
                                 "params:\n"
                                 "  optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n"
                                 "  training.seed: {choices: [2, 3, 4, 5, 9, 10, 11, 12]}\n");
        auto out = run(s);
        QVERIFY2(out, qPrintable(out.status().message()));
        const QVector<Trial> trials = trialsOf(s.name);
        QCOMPARE(trials.size(), 6);
        const auto reasonOf = [&](int n) { return trials[n].reason; };
        QCOMPARE(trials[0].state, TrialState::Failed);
        QVERIFY2(reasonOf(0).contains(QStringLiteral("crashed")), qPrintable(reasonOf(0)));
        QCOMPARE(trials[1].state, TrialState::Failed);
        QVERIFY2(reasonOf(1).contains(QStringLiteral("ran longer than trial_timeout (2 s)")), qPrintable(reasonOf(1)));
        QCOMPARE(trials[2].state, TrialState::Failed);
        QCOMPARE(reasonOf(2), QStringLiteral("val_score is NaN"));
        QCOMPARE(trials[3].state, TrialState::Failed);
        QCOMPARE(reasonOf(3), QStringLiteral("the training exited with status 3: boom"));
        for (int n : {0, 1, 2, 3})
            QCOMPARE(trials[n].source, QStringLiteral("enqueued"));
        QCOMPARE(out->summary.failed + out->summary.complete, 6);
        QCOMPARE(out->sweep.state, QStringLiteral("finished"));
    }

    void aStoppedSweepResumesWithoutRepeatingFinishedTrials()
    {
        const SweepSpec s = spec("metric: val_score\ntrials: 8\nparallel: 2\n"
                                 "sampler: {type: tpe, seed: 5, startup_trials: 3}\npruner: none\n"
                                 "params:\n"
                                 "  optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n");
        auto stopped = run(s, nullptr, [](const SweepEvent &e) { return e.kind == SweepEvent::Kind::TrialEnded && e.summary.complete >= 3; });
        QVERIFY2(stopped, qPrintable(stopped.status().message()));
        QVERIFY(stopped->cancelled);
        QCOMPARE(stopped->sweep.state, QStringLiteral("stopped"));
        const QVector<Trial> before = trialsOf(s.name);
        QMap<int, Trial> finished;
        for (const Trial &t : before) {
            QVERIFY2(t.state == TrialState::Complete || t.state == TrialState::Queued, qPrintable(trialStateName(t.state)));
            if (t.state == TrialState::Complete)
                finished.insert(t.number, t);
            else
                QCOMPARE(t.steps, 0); // queued again, its steps dropped
        }
        QVERIFY(finished.size() >= 3);
        QVERIFY(before.size() < 8);

        QVector<SweepEvent> events;
        auto resumed = run(s, &events, {}, true);
        QVERIFY2(resumed, qPrintable(resumed.status().message()));
        QCOMPARE(resumed->sweep.state, QStringLiteral("finished"));
        const QVector<Trial> after = trialsOf(s.name);
        QCOMPARE(after.size(), 8);
        for (const Trial &t : after) {
            QCOMPARE(t.state, TrialState::Complete);
            if (finished.contains(t.number)) { // untouched
                QCOMPARE(t.finished, finished[t.number].finished);
                QCOMPARE(t.value, finished[t.number].value);
            }
        }
        int startedAgain = 0;
        for (const auto &e : events)
            if (e.kind == SweepEvent::Kind::TrialStarted) {
                ++startedAgain;
                QVERIFY2(!finished.contains(e.trial.number), qPrintable(QStringLiteral("trial %1 ran twice").arg(e.trial.number)));
            }
        QCOMPARE(startedAgain, 8 - finished.size());
    }

    void aMetricTheTrainerNeverReportsFailsTheSweepNamingTheOnesItDoes()
    {
        const SweepSpec s = spec("metric: val_average_precision\ntrials: 3\nparams:\n  optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n");
        auto out = run(s);
        QVERIFY(!out);
        QVERIFY2(out.status().message().contains(QStringLiteral("the training reports no 'val_average_precision'")), qPrintable(out.status().message()));
        QVERIFY2(out.status().message().contains(QStringLiteral("val_loss, val_score")), qPrintable(out.status().message()));
        SweepStore store(m_ws->database());
        QCOMPARE((*store.find(s.name).value()).state, QStringLiteral("failed"));
    }

    void moreParallelTrialsThanCoresAreAllowedAndWarned()
    {
        const SweepSpec s = spec(QByteArray("metric: val_score\ntrials: 1\nparallel: ") + QByteArray::number(QThread::idealThreadCount() + 1)
                                 + "\nparams:\n  optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n");
        QVector<SweepEvent> events;
        auto out = run(s, &events);
        QVERIFY2(out, qPrintable(out.status().message()));
        QCOMPARE(out->summary.complete, 1);
        QString warning;
        for (const auto &e : events)
            if (e.kind == SweepEvent::Kind::Warning)
                warning = e.text;
        QVERIFY2(warning.contains(QStringLiteral("trials at once on %1 cores").arg(QThread::idealThreadCount())), qPrintable(warning));
    }

    void aSecondSweepOfTheSameNameIsRefused()
    {
        const SweepSpec s = spec("metric: val_score\ntrials: 1\nparams:\n  optimizer.lr: {type: float, low: 1.0e-4, high: 0.1, log: true}\n");
        QVERIFY(run(s));
        auto again = run(s);
        QVERIFY(!again);
        QCOMPARE(again.status().code(), ErrorCode::AlreadyExists);
        QVERIFY2(again.status().message().contains(QStringLiteral("orrery-cli tune resume %1").arg(s.name)), qPrintable(again.status().message()));
    }
};

QTEST_GUILESS_MAIN(TestSweepRunner)
#include "tst_sweep_runner.moc"
