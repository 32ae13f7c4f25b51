#include "core/common/job.h"
#include "core/common/job_tracker.h"

#include <QSignalSpy>
#include <QThread>
#include <QtTest>

using namespace orrery;

class TstJob : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void runsOnAWorkerThreadAndFinishes()
    {
        QThread *workerThread = nullptr;
        common::Job job(QStringLiteral("sum"), [&](common::JobContext &ctx) {
            workerThread = QThread::currentThread();
            for (int i = 0; i <= 10; ++i)
                ctx.setProgress(i, 10, QStringLiteral("step %1").arg(i));
            return Status::ok();
        });
        QSignalSpy finished(&job, &common::Job::finished);
        QSignalSpy progress(&job, &common::Job::progressChanged);
        job.start();
        // Not finished.wait(): finished is emitted on the worker thread and recorded at once, so a
        // quick job can finish before wait() starts, and wait() counts only what arrives during it.
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QVERIFY(job.isFinished());
        QVERIFY(job.result().isOk());
        QVERIFY(workerThread != nullptr && workerThread != QThread::currentThread());
        QCOMPARE(job.progressDone(), qint64(10));
        QCOMPARE(job.progressText(), QStringLiteral("step 10"));
        // Throttled: the eleven reports arrive as at most a few signals, the last one final.
        QVERIFY(progress.count() >= 1 && progress.count() <= 3);
        QCOMPARE(progress.last().at(0).toLongLong(), qint64(10));
    }

    void progressHeldBackByTheThrottleStillArrives()
    {
        // Two reports 10 ms apart, then minutes of work: the second must reach the GUI within
        // about the throttle's interval, not when the job ends.
        std::atomic<bool> release{false};
        common::Job job(QStringLiteral("slow"), [&](common::JobContext &ctx) {
            ctx.setProgress(1, 3, QStringLiteral("first"));
            QThread::msleep(10);
            ctx.setProgress(2, 3, QStringLiteral("second"));
            while (!release.load() && !ctx.isCancelled())
                QThread::msleep(5);
            return Status::ok();
        });
        QSignalSpy progress(&job, &common::Job::progressChanged);
        job.start();
        QTRY_VERIFY_WITH_TIMEOUT(!progress.isEmpty() && progress.last().at(0).toLongLong() == 2, 2000);
        QCOMPARE(progress.last().at(2).toString(), QStringLiteral("second"));
        QVERIFY(!job.isFinished());
        release = true;
        QVERIFY(job.wait(5000));
    }

    void cancelStopsTheWork()
    {
        std::atomic<int> iterations{0};
        common::Job job(QStringLiteral("endless"), [&](common::JobContext &ctx) {
            while (!ctx.isCancelled()) {
                ++iterations;
                QThread::msleep(1);
            }
            return ctx.cancelledStatus();
        });
        QSignalSpy finished(&job, &common::Job::finished);
        job.start();
        QTRY_VERIFY(iterations.load() > 3);
        job.cancel();
        QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
        QCOMPARE(job.result().code(), ErrorCode::Cancelled);
        QCOMPARE(finished.first().first().value<Status>().code(), ErrorCode::Cancelled);
    }

    void failureReachesTheReceiver()
    {
        common::Job job(QStringLiteral("fails"), [](common::JobContext &) { return ioError(QStringLiteral("disk full")); });
        QSignalSpy finished(&job, &common::Job::finished);
        job.start();
        QVERIFY(job.wait(5000));
        QTRY_COMPARE(finished.count(), 1);
        QCOMPARE(job.result().message(), QStringLiteral("disk full"));
    }

    void destructorCancelsAndWaits()
    {
        std::atomic<bool> returned{false};
        {
            common::Job job(QStringLiteral("long"), [&](common::JobContext &ctx) {
                while (!ctx.isCancelled())
                    QThread::msleep(1);
                returned = true;
                return ctx.cancelledStatus();
            });
            job.start();
            QThread::msleep(20);
        }
        QVERIFY(returned.load());
    }

    void trackerListsRunningJobs()
    {
        common::JobTracker tracker;
        std::atomic<bool> release{false};
        auto *job = new common::Job(QStringLiteral("tracked"), [&](common::JobContext &ctx) {
            while (!release.load() && !ctx.isCancelled())
                QThread::msleep(1);
            return Status::ok();
        });
        QSignalSpy added(&tracker, &common::JobTracker::jobAdded);
        QSignalSpy done(&tracker, &common::JobTracker::jobFinished);
        tracker.startTracked(job);
        QCOMPARE(added.count(), 1);
        QCOMPARE(tracker.runningJobs().size(), 1);
        release = true;
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 10000);
        QCOMPARE(tracker.runningJobs().size(), 0);
    }
};

QTEST_GUILESS_MAIN(TstJob)
#include "tst_job.moc"
