#pragma once
// Job: every long task (hashing, training, pipeline runs, drift reports) runs as one of these.
//
// The work function runs on a thread of its own and receives a JobContext through which it
// reports progress and polls for cancellation; it returns a Status. The Job object lives in the
// thread that created it (the GUI thread in the workbench): progressChanged and finished are
// emitted from the worker and reach receivers there through queued connections, so a slot never
// runs on the worker. progressChanged is throttled to ~10 Hz however often the work reports; a
// report held back by the throttle is sent when the interval ends (from the Job's thread, whose
// event loop must run for it — the GUI's does), so the last progress is never lost.
//
// Threads: start(), cancel(), wait() and the getters may be called from any thread. The
// destructor cancels and waits, so a work function never outlives its Job.

#include "core/common/status.h"

#include <QElapsedTimer>
#include <QMetaType>
#include <QMutex>
#include <QObject>
#include <QString>

#include <atomic>
#include <functional>
#include <memory>

class QThread;

namespace orrery::common {

class Job;

class JobContext {
public:
    bool isCancelled() const;
    // done/total in any unit; total <= 0 means "unknown" (a busy indicator).
    void setProgress(qint64 done, qint64 total, const QString &text = QString());
    // The Status a work function returns when it stops because of a cancel.
    Status cancelledStatus() const;

private:
    friend class Job;
    explicit JobContext(Job &job) : m_job(job) {}
    Job &m_job;
};

class Job : public QObject {
    Q_OBJECT
public:
    using Work = std::function<Status(JobContext &)>;

    Job(QString title, Work work, QObject *parent = nullptr);
    ~Job() override;

    const QString &title() const { return m_title; }

    void start();
    // Asks the work to stop; it does so at its next check. Safe to call at any time.
    void cancel();
    // Blocks until the work returned (true) or the timeout passed (false). Not for the GUI thread.
    bool wait(int timeoutMs = -1);

    bool isStarted() const { return m_started.load(); }
    bool isRunning() const { return m_started.load() && !m_finished.load(); }
    bool isFinished() const { return m_finished.load(); }
    bool isCancelRequested() const { return m_cancel.load(); }
    qint64 progressDone() const { return m_done.load(); }
    qint64 progressTotal() const { return m_total.load(); }
    QString progressText() const;
    // Valid once isFinished().
    Status result() const;

Q_SIGNALS:
    void progressChanged(qint64 done, qint64 total, const QString &text);
    void finished(const orrery::Status &status);

private:
    friend class JobContext;
    void report(qint64 done, qint64 total, const QString &text);
    void runWork();
    void emitTrailing(); // on the Job's thread

    const QString m_title;
    Work m_work;
    QThread *m_thread = nullptr;
    std::atomic<bool> m_started{false};
    std::atomic<bool> m_finished{false};
    std::atomic<bool> m_cancel{false};
    std::atomic<qint64> m_done{0};
    std::atomic<qint64> m_total{0};
    mutable QMutex m_mutex; // guards m_text, m_result, m_lastEmit, m_trailingPending
    QString m_text;
    Status m_result;
    QElapsedTimer m_lastEmit;
    bool m_trailingPending = false; // a report was held back; a timer sends it
};

} // namespace orrery::common

Q_DECLARE_METATYPE(orrery::Status)
