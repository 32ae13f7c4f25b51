#include "core/common/job.h"

#include <QMutexLocker>
#include <QThread>
#include <QTimer>

namespace orrery::common {
namespace {
constexpr qint64 kProgressIntervalMs = 100;
}

bool JobContext::isCancelled() const
{
    return m_job.m_cancel.load(std::memory_order_relaxed);
}

void JobContext::setProgress(qint64 done, qint64 total, const QString &text)
{
    m_job.report(done, total, text);
}

Status JobContext::cancelledStatus() const
{
    return cancelled(QStringLiteral("%1: cancelled").arg(m_job.title()));
}

Job::Job(QString title, Work work, QObject *parent)
    : QObject(parent), m_title(std::move(title)), m_work(std::move(work))
{
    qRegisterMetaType<orrery::Status>();
}

Job::~Job()
{
    cancel();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
    }
}

void Job::start()
{
    if (m_started.exchange(true))
        return;
    m_thread = QThread::create([this] { runWork(); });
    m_thread->setObjectName(m_title.left(15));
    m_thread->start();
}

void Job::cancel()
{
    m_cancel.store(true);
}

bool Job::wait(int timeoutMs)
{
    if (!m_thread)
        return m_finished.load();
    return m_thread->wait(timeoutMs < 0 ? QDeadlineTimer(QDeadlineTimer::Forever) : QDeadlineTimer(timeoutMs));
}

QString Job::progressText() const
{
    QMutexLocker lock(&m_mutex);
    return m_text;
}

Status Job::result() const
{
    QMutexLocker lock(&m_mutex);
    return m_result;
}

void Job::report(qint64 done, qint64 total, const QString &text)
{
    m_done.store(done);
    m_total.store(total);
    bool emitNow = false;
    qint64 trailingInMs = -1;
    {
        QMutexLocker lock(&m_mutex);
        if (!text.isNull())
            m_text = text;
        if (!m_lastEmit.isValid() || m_lastEmit.elapsed() >= kProgressIntervalMs) {
            m_lastEmit.start();
            emitNow = true;
        } else if (!m_trailingPending) {
            m_trailingPending = true;
            trailingInMs = kProgressIntervalMs - m_lastEmit.elapsed();
        }
    }
    if (emitNow) {
        Q_EMIT progressChanged(done, total, progressText());
    } else if (trailingInMs >= 0) {
        // A report inside the interval is not dropped: a timer on the Job's thread sends the
        // latest progress when the interval ends (a stage that reports and then works for
        // minutes would otherwise show its previous step all that time).
        QMetaObject::invokeMethod(this, [this, trailingInMs] { QTimer::singleShot(int(trailingInMs), this, [this] { emitTrailing(); }); },
                                  Qt::QueuedConnection);
    }
}

void Job::emitTrailing()
{
    {
        QMutexLocker lock(&m_mutex);
        m_trailingPending = false;
        m_lastEmit.start();
    }
    if (!m_finished.load()) // the final progress is sent with finished()
        Q_EMIT progressChanged(m_done.load(), m_total.load(), progressText());
}

void Job::runWork()
{
    JobContext context(*this);
    Status status;
    if (m_cancel.load())
        status = context.cancelledStatus();
    else
        status = m_work ? m_work(context) : internalError(QStringLiteral("job '%1' has no work").arg(m_title));
    {
        QMutexLocker lock(&m_mutex);
        m_result = status;
    }
    m_finished.store(true);
    Q_EMIT progressChanged(m_done.load(), m_total.load(), progressText());
    Q_EMIT finished(status);
}

} // namespace orrery::common
