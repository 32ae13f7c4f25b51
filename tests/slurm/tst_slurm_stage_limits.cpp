// A pipeline stage on the real one-node Slurm cluster (the `slurm` fixture) that outlives the time
// limit executors.yaml gives it: Slurm stops it (TIMEOUT), `orrery-cli run` reports the stage timed
// out with Slurm's reason and exits 2, dvc.lock gets no entry for it, and the stage after it does
// not run; the next run, the command fixed, reruns that stage and goes on — while the stage before
// it, which ran, is up to date.
#include "tests/support/test_support.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;

namespace {

QJsonObject stageOf(const QJsonObject &report, const QString &name)
{
    for (const auto &v : report.value(QStringLiteral("stages")).toArray())
        if (v.toObject().value(QStringLiteral("name")).toString() == name)
            return v.toObject();
    return {};
}

} // namespace

class TestSlurmStageLimits : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void aStagePastItsTimeLimitIsStoppedBySlurmAndRerunNextTime()
    {
        QVERIFY2(!qEnvironmentVariable("SLURM_CONF").isEmpty(), "SLURM_CONF is not set: the `slurm` CTest fixture starts the test cluster");
        QTemporaryDir dir;
        const QString ws = dir.filePath(QStringLiteral("ws"));
        auto init = testing::runCli({QStringLiteral("init"), ws});
        QVERIFY2(init.ok(), qPrintable(init.describe()));
        const QByteArray pipeline = "stages:\n"
                                    "  prepare:\n"
                                    "    cmd: echo ready > ready.txt\n"
                                    "    outs: [ready.txt]\n"
                                    "  slow:\n"
                                    "    cmd: SLEEP\n"
                                    "    deps: [ready.txt]\n"
                                    "    outs: [slow.txt]\n"
                                    "  after:\n"
                                    "    cmd: cp slow.txt after.txt\n"
                                    "    deps: [slow.txt]\n"
                                    "    outs: [after.txt]\n";
        testing::writeFile(QDir(ws).filePath(QStringLiteral("dvc.yaml")), QByteArray(pipeline).replace("SLEEP", "sleep 600 && echo done > slow.txt"));
        testing::writeFile(QDir(ws).filePath(QStringLiteral("executors.yaml")),
                           "stages:\n  slow:\n    executor: slurm\n    time_limit: 1m\n    memory: 100M\n");
        testing::ProcessOptions o;
        o.workingDirectory = ws;
        o.timeoutMs = 300000; // Slurm enforces a 1-minute limit within about a minute more
        auto ran = testing::runCli({QStringLiteral("run"), QStringLiteral("--json")}, o);
        QCOMPARE(ran.code, 2);
        const QJsonObject report = QJsonDocument::fromJson(ran.out.toUtf8()).object();
        const QJsonObject slow = stageOf(report, QStringLiteral("slow"));
        QCOMPARE(slow.value(QStringLiteral("state")).toString(), QStringLiteral("timed_out"));
        QCOMPARE(slow.value(QStringLiteral("executor")).toString(), QStringLiteral("slurm"));
        const QString reason = slow.value(QStringLiteral("reason")).toString();
        QVERIFY2(reason.contains(QStringLiteral("time limit (60 s)")) && reason.contains(QStringLiteral("TIMEOUT")), qPrintable(reason));
        const QString job = slow.value(QStringLiteral("job_id")).toString();
        QProcess scontrol;
        scontrol.start(QStringLiteral("scontrol"), {QStringLiteral("-o"), QStringLiteral("show"), QStringLiteral("job"), job});
        QVERIFY(scontrol.waitForFinished(60000));
        const QString record = QString::fromLocal8Bit(scontrol.readAllStandardOutput());
        QVERIFY2(record.contains(QStringLiteral("JobState=TIMEOUT")) && record.contains(QStringLiteral("TimeLimit=00:01:00")), qPrintable(record));
        QCOMPARE(stageOf(report, QStringLiteral("after")).value(QStringLiteral("state")).toString(), QStringLiteral("not_run"));
        const QByteArray lock = testing::readFile(QDir(ws).filePath(QStringLiteral("dvc.lock")));
        QVERIFY2(lock.contains("prepare:") && !lock.contains("slow:"), lock.constData());

        // Fixed: the next run reruns only what did not finish.
        testing::writeFile(QDir(ws).filePath(QStringLiteral("dvc.yaml")), QByteArray(pipeline).replace("SLEEP", "echo done > slow.txt"));
        auto again = testing::runCli({QStringLiteral("run"), QStringLiteral("--json")}, o);
        QVERIFY2(again.ok(), qPrintable(again.describe()));
        const QJsonObject second = QJsonDocument::fromJson(again.out.toUtf8()).object();
        QCOMPARE(stageOf(second, QStringLiteral("prepare")).value(QStringLiteral("state")).toString(), QStringLiteral("skipped"));
        QCOMPARE(stageOf(second, QStringLiteral("slow")).value(QStringLiteral("state")).toString(), QStringLiteral("ran"));
        QCOMPARE(stageOf(second, QStringLiteral("after")).value(QStringLiteral("state")).toString(), QStringLiteral("ran"));
        QCOMPARE(testing::readFile(QDir(ws).filePath(QStringLiteral("after.txt"))), QByteArray("done\n"));
    }
};

QTEST_GUILESS_MAIN(TestSlurmStageLimits)
#include "tst_slurm_stage_limits.moc"
