// orrery-cli tune with the real trainer on the demo workspace, as a data scientist runs it: a TPE
// sweep with ASHA over the demo's MLP, two trials at once — the best trial and its config, every
// trial a child run of the sweep's run, `tune status|best`, the best config trained again by hand;
// a sweep stopped with SIGTERM resumes without repeating a finished trial; a bad sweep file is
// refused with its place.
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSet>
#include <QThread>
#include <QTemporaryDir>
#include <QtTest>

#include <csignal>

using namespace orrery::testing;

namespace {

QJsonObject jsonOf(const ProcessResult &r)
{
    return QJsonDocument::fromJson(r.out.toUtf8()).object();
}

QByteArray sweepFile(const QByteArray &name, int trials)
{
    return "name: " + name + "\n"
           "train: train.yaml\n"
           "metric: val_pr_auc\n"
           "trials: " + QByteArray::number(trials) + "\n"
           "parallel: 2\n"
           "trial_timeout: 5m\n"
           "sampler: {type: tpe, seed: 4, startup_trials: 3}\n"
           "pruner: {type: asha, min_resource: 1, reduction_factor: 2}\n"
           "enqueue:\n"
           "  - {optimizer.lr: 0.003, model.hidden: [32, 16]}\n"
           "params:\n"
           "  optimizer.lr: {type: float, low: 1.0e-4, high: 0.05, log: true}\n"
           "  model.hidden: {type: categorical, choices: [[32, 16], [16]]}\n";
}

} // namespace

class TestCliTune : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_demo;

    // Starts `tune FILE` in the demo and returns what it printed once a trial has ended (or after
    // two minutes: the caller checks).
    QByteArray startUntilATrialEnds(QProcess &sweep, const QString &file)
    {
        sweep.setWorkingDirectory(m_demo);
        sweep.start(cliPath(), {QStringLiteral("tune"), file});
        QByteArray printed;
        if (!sweep.waitForStarted())
            return printed;
        for (int i = 0; i < 600 && !printed.contains("trial "); ++i) {
            sweep.waitForReadyRead(200);
            printed += sweep.readAllStandardOutput();
        }
        return printed;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_demo = m_dir.filePath(QStringLiteral("demo"));
        QCOMPARE(runCli({QStringLiteral("demo"), m_demo}).code, 0);
        const auto r = runCli({QStringLiteral("run")}, m_demo); // makes work/train.csv
        QVERIFY2(r.code == 0, qPrintable(r.err));
    }

    void aSweepFindsTheBestTrialAndRecordsEachAsAChildRun()
    {
        writeFile(m_demo + QStringLiteral("/sweep.yaml"), sweepFile("lr", 5));
        const auto r = runCli({QStringLiteral("tune"), QStringLiteral("sweep.yaml"), QStringLiteral("--json")}, m_demo);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject out = jsonOf(r);
        QCOMPARE(out.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        const QJsonObject summary = out.value(QStringLiteral("summary")).toObject();
        QCOMPARE(summary.value(QStringLiteral("complete")).toInt() + summary.value(QStringLiteral("pruned")).toInt(), 5);
        QCOMPARE(summary.value(QStringLiteral("failed")).toInt(), 0);
        const QJsonObject best = out.value(QStringLiteral("best")).toObject();
        QVERIFY(best.value(QStringLiteral("params")).toObject().contains(QStringLiteral("optimizer.lr")));
        const QString sweepRun = out.value(QStringLiteral("run_id")).toString();
        QVERIFY(!sweepRun.isEmpty());

        // Every trial: recorded with its params and steps; the best value is the largest complete one.
        const auto status = runCli({QStringLiteral("tune"), QStringLiteral("status"), QStringLiteral("lr"), QStringLiteral("--json")}, m_demo);
        QCOMPARE(status.code, 0);
        const QJsonArray trials = jsonOf(status).value(QStringLiteral("trial_list")).toArray();
        QCOMPARE(trials.size(), 5);
        double bestValue = -1;
        QStringList runIds;
        for (const QJsonValue &v : trials) {
            const QJsonObject t = v.toObject();
            const QString state = t.value(QStringLiteral("state")).toString();
            QVERIFY2(state == QLatin1String("complete") || state == QLatin1String("pruned"), qPrintable(state));
            QVERIFY(t.value(QStringLiteral("steps")).toInt() >= 1 && t.value(QStringLiteral("steps")).toInt() <= 4);
            if (state == QLatin1String("complete"))
                bestValue = std::max(bestValue, t.value(QStringLiteral("value")).toDouble());
            runIds << t.value(QStringLiteral("run_id")).toString();
        }
        QCOMPARE(best.value(QStringLiteral("value")).toDouble(), bestValue);
        // The enqueued configuration ran first, as given.
        QCOMPARE(trials[0].toObject().value(QStringLiteral("params")).toObject().value(QStringLiteral("optimizer.lr")).toDouble(), 0.003);
        QCOMPARE(trials[0].toObject().value(QStringLiteral("source")).toString(), QStringLiteral("enqueued"));

        // Each trial's training run is a child of the sweep's run, tagged with its number.
        const auto children = runCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"),
                                      QStringLiteral("tags.mlflow.parentRunId = '%1'").arg(sweepRun), QStringLiteral("--json")},
                                     m_demo);
        QCOMPARE(children.code, 0);
        const QJsonArray runs = QJsonDocument::fromJson(children.out.toUtf8()).array();
        QCOMPARE(runs.size(), 5);
        for (const QJsonValue &v : runs) {
            const QJsonObject run = v.toObject();
            QVERIFY(runIds.contains(run.value(QStringLiteral("run_id")).toString()));
            QCOMPARE(run.value(QStringLiteral("tags")).toObject().value(QStringLiteral("orrery.sweep")).toString(), QStringLiteral("lr"));
        }

        // The best configuration, written as a training config, trains again by hand to its value.
        const auto bestCmd = runCli({QStringLiteral("tune"), QStringLiteral("best"), QStringLiteral("lr"), QStringLiteral("--config"), QStringLiteral("best.yaml")}, m_demo);
        QVERIFY2(bestCmd.code == 0, qPrintable(bestCmd.err));
        QVERIFY(bestCmd.out.contains(QStringLiteral("best of sweep lr: trial %1").arg(best.value(QStringLiteral("number")).toInt())));
        const auto again = runCli({QStringLiteral("train"), QStringLiteral("best.yaml"), QStringLiteral("--json")}, m_demo);
        QVERIFY2(again.code == 0, qPrintable(again.err));
        const double retrained = jsonOf(again).value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject().value(QStringLiteral("pr_auc")).toDouble();
        QCOMPARE(retrained, bestValue); // the trainer is deterministic for a seed and one thread's order
    }

    void aStoppedSweepResumesWithoutRepeatingFinishedTrials()
    {
        writeFile(m_demo + QStringLiteral("/stop.yaml"), sweepFile("stop", 6));
        QProcess sweep;
        // Stop it once the first trial has ended (a hang bound, not a timing).
        QByteArray printed = startUntilATrialEnds(sweep, QStringLiteral("stop.yaml"));
        QVERIFY2(printed.contains("trial "), printed.constData());
        ::kill(pid_t(sweep.processId()), SIGTERM);
        QVERIFY(sweep.waitForFinished(120000));
        printed += sweep.readAllStandardOutput();
        QCOMPARE(sweep.exitCode(), 1);
        QVERIFY2(printed.contains("SIGTERM: stopping cleanly"), printed.constData());
        QVERIFY2(printed.contains("sweep stop stopped"), printed.constData());

        const auto stopped = runCli({QStringLiteral("tune"), QStringLiteral("status"), QStringLiteral("stop"), QStringLiteral("--json")}, m_demo);
        QMap<int, QString> finishedAt;
        for (const QJsonValue &v : jsonOf(stopped).value(QStringLiteral("trial_list")).toArray()) {
            const QJsonObject t = v.toObject();
            const QString state = t.value(QStringLiteral("state")).toString();
            QVERIFY2(state != QLatin1String("running"), "a trial left running after a clean stop");
            if (state != QLatin1String("queued"))
                finishedAt.insert(t.value(QStringLiteral("number")).toInt(), t.value(QStringLiteral("finished")).toString());
        }
        QVERIFY(!finishedAt.isEmpty());

        const auto resumed = runCli({QStringLiteral("tune"), QStringLiteral("resume"), QStringLiteral("stop")}, m_demo);
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        for (auto it = finishedAt.begin(); it != finishedAt.end(); ++it)
            QVERIFY2(!resumed.out.contains(QStringLiteral("trial %1 ").arg(it.key())), qPrintable(resumed.out));
        const auto after = runCli({QStringLiteral("tune"), QStringLiteral("status"), QStringLiteral("stop"), QStringLiteral("--json")}, m_demo);
        const QJsonArray trials = jsonOf(after).value(QStringLiteral("trial_list")).toArray();
        QCOMPARE(trials.size(), 6);
        for (const QJsonValue &v : trials) {
            const QJsonObject t = v.toObject();
            const int n = t.value(QStringLiteral("number")).toInt();
            if (finishedAt.contains(n))
                QCOMPARE(t.value(QStringLiteral("finished")).toString(), finishedAt[n]);
        }
        QCOMPARE(jsonOf(after).value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
    }

    void aKilledSweepLeavesNoTrainingRunningAndResumes()
    {
        writeFile(m_demo + QStringLiteral("/killed.yaml"), sweepFile("killed", 5));
        QProcess sweep;
        const QByteArray printed = startUntilATrialEnds(sweep, QStringLiteral("killed.yaml"));
        QVERIFY2(printed.contains("trial "), printed.constData());
        // Two trials are training now (parallel 2). kill -9: no clean stop, no chance to tidy up.
        ::kill(pid_t(sweep.processId()), SIGKILL);
        QVERIFY(sweep.waitForFinished(30000));
        const QString sweepDir = QStringLiteral(".orrery/tune/");
        // Its trainings die with it (a hang bound): none is left running the sweep's configs.
        const auto trainingsLeft = [&] {
            int n = 0;
            for (const QString &pid : QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot)) {
                QFile cmdline(QStringLiteral("/proc/%1/cmdline").arg(pid));
                if (cmdline.open(QIODevice::ReadOnly) && cmdline.readAll().contains((m_demo + QLatin1Char('/') + sweepDir).toUtf8()))
                    ++n;
            }
            return n;
        };
        for (int i = 0; i < 300 && trainingsLeft() > 0; ++i)
            QThread::msleep(50);
        QCOMPARE(trainingsLeft(), 0);

        // The next start finds the dead runner: its running trials run again, finished ones never.
        const QJsonArray before = jsonOf(runCli({QStringLiteral("tune"), QStringLiteral("status"), QStringLiteral("killed"), QStringLiteral("--json")}, m_demo))
                                      .value(QStringLiteral("trial_list")).toArray();
        QSet<int> finished;
        int running = 0;
        for (const QJsonValue &v : before) {
            const QString state = v.toObject().value(QStringLiteral("state")).toString();
            if (state == QLatin1String("running"))
                ++running;
            else if (state == QLatin1String("complete") || state == QLatin1String("pruned"))
                finished.insert(v.toObject().value(QStringLiteral("number")).toInt());
        }
        // Those it was running still read as running (none, when both had just ended): a dead
        // runner's claim, found by the next start.
        QVERIFY(running + finished.size() >= 1);
        const auto resumed = runCli({QStringLiteral("tune"), QStringLiteral("resume"), QStringLiteral("killed")}, m_demo);
        QVERIFY2(resumed.code == 0, qPrintable(resumed.err));
        for (int n : finished)
            QVERIFY2(!resumed.out.contains(QStringLiteral("trial %1 ").arg(n)), qPrintable(resumed.out));
        const QJsonObject after = jsonOf(runCli({QStringLiteral("tune"), QStringLiteral("status"), QStringLiteral("killed"), QStringLiteral("--json")}, m_demo));
        QCOMPARE(after.value(QStringLiteral("trial_list")).toArray().size(), 5);
        QCOMPARE(after.value(QStringLiteral("state")).toString(), QStringLiteral("finished"));
        QCOMPARE(after.value(QStringLiteral("summary")).toObject().value(QStringLiteral("failed")).toInt(), 0);
    }

    void aSweepIsAPipelineStageWhoseOutIsTheBestConfig()
    {
        writeFile(m_demo + QStringLiteral("/stage-sweep.yaml"), sweepFile("stage", 3));
        QByteArray pipeline = readFile(m_demo + QStringLiteral("/dvc.yaml"));
        pipeline += "  tune:\n"
                    "    cmd: orrery-cli stage tune --sweep stage-sweep.yaml --best-config work/best-train.yaml\n"
                    "    deps:\n    - stage-sweep.yaml\n    - train.yaml\n    - work/train.csv\n"
                    "    outs:\n    - work/best-train.yaml\n";
        writeFile(m_demo + QStringLiteral("/dvc.yaml"), pipeline);
        const auto r = runCli({QStringLiteral("run"), QStringLiteral("tune")}, m_demo);
        QVERIFY2(r.code == 0, qPrintable(r.out + r.err));
        QVERIFY2(r.out.contains(QStringLiteral("ran       tune")), qPrintable(r.out));

        // The stage's sweep is listed with the others; its best trial's values are in the out.
        const QJsonArray sweeps = jsonOf(runCli({QStringLiteral("tune"), QStringLiteral("status"), QStringLiteral("--json")}, m_demo)).value(QStringLiteral("sweeps")).toArray();
        QString stageSweep;
        for (const QJsonValue &v : sweeps)
            if (v.toObject().value(QStringLiteral("name")).toString().startsWith(QLatin1String("stage-")))
                stageSweep = v.toObject().value(QStringLiteral("name")).toString();
        QVERIFY(!stageSweep.isEmpty());
        const QJsonObject best = jsonOf(runCli({QStringLiteral("tune"), QStringLiteral("best"), stageSweep, QStringLiteral("--json")}, m_demo));
        const QByteArray out = readFile(m_demo + QStringLiteral("/work/best-train.yaml"));
        const double lr = best.value(QStringLiteral("params")).toObject().value(QStringLiteral("optimizer.lr")).toDouble();
        QVERIFY2(out.contains("lr: " + QByteArray::number(lr, 'g', 15)), out.constData());
        QVERIFY2(out.contains("path: train.csv"), out.constData()); // relative to the out, true in another clone

        // Up to date the next time; the out is a training config the trainer takes.
        const auto again = runCli({QStringLiteral("run"), QStringLiteral("tune")}, m_demo);
        QVERIFY2(again.out.contains(QStringLiteral("skipped   tune")), qPrintable(again.out));
        const auto trained = runCli({QStringLiteral("train"), QStringLiteral("work/best-train.yaml"), QStringLiteral("--json")}, m_demo);
        QVERIFY2(trained.code == 0, qPrintable(trained.err));
        QCOMPARE(jsonOf(trained).value(QStringLiteral("validation")).toObject().value(QStringLiteral("overall")).toObject().value(QStringLiteral("pr_auc")).toDouble(),
                 best.value(QStringLiteral("value")).toDouble());
    }

    void aSweepOverAPipelineStageRunsEachTrialInAWorktreeOfItsOwn()
    {
        const QByteArray trainBefore = readFile(m_demo + QStringLiteral("/train.yaml"));
        const QByteArray lockBefore = readFile(m_demo + QStringLiteral("/dvc.lock"));
        writeFile(m_demo + QStringLiteral("/stage.yaml"), "name: over-train\nstage: train\nmetric: val_pr_auc\ntrials: 3\nparallel: 2\n"
                                                         "sampler: {type: grid, seed: 1}\npruner: none\n"
                                                         "params:\n  train.yaml:optimizer.lr: {type: float, low: 0.001, high: 0.003, step: 0.001}\n");
        const auto r = runCli({QStringLiteral("tune"), QStringLiteral("stage.yaml"), QStringLiteral("--json")}, m_demo);
        QVERIFY2(r.code == 0, qPrintable(r.err));
        const QJsonObject out = jsonOf(r);
        QCOMPARE(out.value(QStringLiteral("summary")).toObject().value(QStringLiteral("complete")).toInt(), 3);
        // Each trial trained with its own value: three different results, the grid's three rates.
        const QJsonArray trials = jsonOf(runCli({QStringLiteral("tune"), QStringLiteral("status"), QStringLiteral("over-train"), QStringLiteral("--json")}, m_demo))
                                      .value(QStringLiteral("trial_list")).toArray();
        QSet<double> rates, values;
        for (const QJsonValue &v : trials) {
            rates.insert(v.toObject().value(QStringLiteral("params")).toObject().value(QStringLiteral("train.yaml:optimizer.lr")).toDouble());
            values.insert(v.toObject().value(QStringLiteral("value")).toDouble());
        }
        QCOMPARE(rates, (QSet<double>{0.001, 0.002, 0.003}));
        QCOMPARE(values.size(), 3);
        // The user's files, lock and git state are untouched; the worktrees and branches are gone.
        QCOMPARE(readFile(m_demo + QStringLiteral("/train.yaml")), trainBefore);
        QCOMPARE(readFile(m_demo + QStringLiteral("/dvc.lock")), lockBefore);
        QCOMPARE(git(m_demo, {QStringLiteral("worktree"), QStringLiteral("list")}).trimmed().split(QLatin1Char('\n')).size(), 1);
        QVERIFY2(!git(m_demo, {QStringLiteral("branch"), QStringLiteral("--list"), QStringLiteral("orrery/tune/*")}).contains(QStringLiteral("orrery/tune")), "a trial's branch is left");
        // Each trial's pipeline run hangs under the sweep's run.
        const auto children = runCli({QStringLiteral("runs"), QStringLiteral("list"), QStringLiteral("--filter"),
                                      QStringLiteral("tags.mlflow.parentRunId = '%1'").arg(out.value(QStringLiteral("run_id")).toString()), QStringLiteral("--json")},
                                     m_demo);
        QCOMPARE(QJsonDocument::fromJson(children.out.toUtf8()).array().size(), 3);

        writeFile(m_demo + QStringLiteral("/nostage.yaml"), "stage: trian\nmetric: val_pr_auc\nparams:\n  split.seed: {type: int, low: 1, high: 3}\n");
        const auto missing = runCli({QStringLiteral("tune"), QStringLiteral("nostage.yaml")}, m_demo);
        QCOMPARE(missing.code, 2);
        QVERIFY2(missing.err.contains(QStringLiteral("there is no stage 'trian' in dvc.yaml (its stages: load, validate, split, train")), qPrintable(missing.err));
    }

    void aBadSweepFileIsRefusedWithItsPlace()
    {
        writeFile(m_demo + QStringLiteral("/bad.yaml"), "train: train.yaml\nmetric: val_pr_auc\nparams:\n  optimizer.lr: {low: 0, high: 0.1, log: true}\n");
        const auto r = runCli({QStringLiteral("tune"), QStringLiteral("bad.yaml")}, m_demo);
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("bad.yaml:4:3: parameter 'optimizer.lr': a log range must be above 0")), qPrintable(r.err));
        const auto check = runCli({QStringLiteral("tune"), QStringLiteral("check"), QStringLiteral("sweep.yaml")}, m_demo);
        QCOMPARE(check.code, 0);
        QVERIFY(check.out.contains(QStringLiteral("2 parameters, tpe sampler, asha pruner")));
    }
};

QTEST_GUILESS_MAIN(TestCliTune)
#include "tst_cli_tune.moc"
