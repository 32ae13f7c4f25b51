// core/exec: the local executor runs a shell command to its end and says how it ended; a cancel or
// a time limit kills the whole process group (a grandchild included); the report channel carries
// a job's steps and the verdicts on them between two threads, and a job with no answer goes on.
#include "core/exec/executor.h"
#include "core/exec/report_channel.h"

#include "tests/support/test_support.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>
#include <csignal>
#include <thread>

using namespace orrery;
using namespace orrery::exec;

namespace {

bool processAlive(qint64 pid)
{
    return ::kill(pid_t(pid), 0) == 0;
}

} // namespace

class TestLocalExecutor : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void succeededAndFailedWithTheirExitCodesAndLog()
    {
        QTemporaryDir dir;
        JobSpec job;
        job.name = QStringLiteral("test");
        job.workDir = dir.path();
        job.logPath = dir.filePath(QStringLiteral("log.txt"));
        job.env.insert(QStringLiteral("GREETING"), QStringLiteral("hello"));
        job.commandLine = QStringLiteral("echo $GREETING from $(pwd); echo to-stderr >&2");
        QVector<JobStatus> updates;
        auto ok = localExecutor().run(job, nullptr, [&](const JobStatus &s) { updates.push_back(s); });
        QVERIFY2(ok, qPrintable(ok.status().message()));
        QCOMPARE(ok->state, JobState::Succeeded);
        QCOMPARE(updates.size(), 2);
        QCOMPARE(updates.first().state, JobState::Running);
        QVERIFY(updates.first().id.toLongLong() > 0);
        const QString log = QString::fromUtf8(testing::readFile(job.logPath));
        QVERIFY2(log.contains(QStringLiteral("hello from ") + dir.path()), qPrintable(log));
        QVERIFY(log.contains(QStringLiteral("to-stderr")));

        job.commandLine = QStringLiteral("exit 7");
        auto failed = localExecutor().run(job, nullptr);
        QVERIFY(failed);
        QCOMPARE(failed->state, JobState::Failed);
        QCOMPARE(failed->exitCode, 7);
        QCOMPARE(jobStateName(failed->state), QStringLiteral("failed"));

        job.commandLine = QStringLiteral("kill -SEGV $$");
        auto crashed = localExecutor().run(job, nullptr);
        QVERIFY(crashed);
        QCOMPARE(crashed->state, JobState::Crashed);
        // A command under the shell that dies of a signal: the shell says 128 + N.
        job.commandLine = QStringLiteral("sh -c 'kill -SEGV $$'; exit $?");
        auto under = localExecutor().run(job, nullptr);
        QVERIFY(under);
        QCOMPARE(under->state, JobState::Crashed);
        QVERIFY2(under->reason.startsWith(QStringLiteral("signal 11, ")), qPrintable(under->reason));
    }

    void aBadFolderIsAnErrorNotAState()
    {
        JobSpec job;
        job.workDir = QStringLiteral("/nonexistent/folder");
        job.logPath = QStringLiteral("/dev/null");
        job.commandLine = QStringLiteral("true");
        auto r = localExecutor().run(job, nullptr);
        QVERIFY(!r);
        QVERIFY2(r.status().message().contains(QStringLiteral("/nonexistent/folder")), qPrintable(r.status().message()));
    }

    void cancelAndTimeoutKillTheWholeGroup_data()
    {
        QTest::addColumn<bool>("byCancel");
        QTest::newRow("cancel") << true;
        QTest::newRow("timeout") << false;
    }
    void cancelAndTimeoutKillTheWholeGroup()
    {
        QFETCH(bool, byCancel);
        QTemporaryDir dir;
        const QString pidFile = dir.filePath(QStringLiteral("grandchild.pid"));
        JobSpec job;
        job.workDir = dir.path();
        job.logPath = dir.filePath(QStringLiteral("log.txt"));
        // A grandchild that ignores nothing but would outlive its shell if only the shell died.
        job.commandLine = QStringLiteral("sleep 600 & echo $! > %1; wait").arg(pidFile);
        job.killGraceMs = 500;
        if (!byCancel)
            job.timeoutMs = 300;
        std::atomic<bool> cancel{false};
        std::thread canceller;
        if (byCancel)
            canceller = std::thread([&] {
                for (int i = 0; i < 2000 && !QFile::exists(pidFile); ++i)
                    QThread::msleep(5);
                cancel.store(true);
            });
        auto r = localExecutor().run(job, &cancel);
        if (canceller.joinable())
            canceller.join();
        QVERIFY(r);
        QCOMPARE(r->state, byCancel ? JobState::Cancelled : JobState::TimedOut);
        const qint64 grandchild = testing::readFile(pidFile).trimmed().toLongLong();
        QVERIFY(grandchild > 0);
        // Killed, then reaped by init: give the kernel a moment to make it gone (a hang bound).
        for (int i = 0; i < 2000 && processAlive(grandchild); ++i)
            QThread::msleep(10);
        QVERIFY2(!processAlive(grandchild), "the command's grandchild outlived the cancel");
    }

    void reportsAndVerdictsCrossBetweenTheJobAndItsController()
    {
        QTemporaryDir dir;
        ReportWriter writer(dir.path(), 30000);
        ReportReader reader(dir.path());
        QVector<Verdict> seen;
        std::thread job([&] {
            for (int step = 1; step <= 3; ++step) {
                const Verdict v = writer.report(step, QJsonObject{{QStringLiteral("val_auc"), 0.5 + step / 10.0}});
                seen.push_back(v);
                if (v == Verdict::Stop)
                    break;
            }
            (void)writer.writeResult(QJsonObject{{QStringLiteral("epochs"), int(seen.size())}});
        });
        QVector<Report> reports;
        // The controller: answer continue to step 1, stop to step 2 (a hang bound, not a timing).
        for (int i = 0; i < 6000 && !reader.result(); ++i) {
            for (const Report &r : reader.poll()) {
                reports.push_back(r);
                QVERIFY(reader.answer(r.step, r.step >= 2 ? Verdict::Stop : Verdict::Continue));
            }
            QThread::msleep(5);
        }
        job.join();
        QCOMPARE(reports.size(), 2);
        QCOMPARE(reports[0].step, 1);
        QCOMPARE(reports[1].values.value(QStringLiteral("val_auc")).toDouble(), 0.7);
        QCOMPARE(seen, (QVector<Verdict>{Verdict::Continue, Verdict::Stop}));
        QCOMPARE(reader.result()->value(QStringLiteral("epochs")).toInt(), 2);
    }

    void aJobWithNoControllerGoesOn()
    {
        QTemporaryDir dir;
        ReportWriter writer(dir.path(), 50);
        QCOMPARE(writer.report(1, QJsonObject{}), Verdict::Continue);
        ReportReader reader(dir.path());
        QCOMPARE(reader.poll().size(), 1);
        QCOMPARE(reader.poll().size(), 0); // only new ones
        qputenv("ORRERY_REPORT_DIR", "");
        QVERIFY(!ReportWriter::fromEnvironment());
        qputenv("ORRERY_REPORT_DIR", dir.path().toUtf8());
        QCOMPARE(ReportWriter::fromEnvironment()->dir(), dir.path());
    }
};

QTEST_GUILESS_MAIN(TestLocalExecutor)
#include "tst_local_executor.moc"
