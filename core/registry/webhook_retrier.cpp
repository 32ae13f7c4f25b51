#include "core/registry/webhook_retrier.h"

#include "core/registry/lease.h"
#include "core/store/database.h"

#include <QSet>
#include <QThread>

#include <cstdio>

namespace orrery::registry {

WebhookRetrier::WebhookRetrier(store::Database &db, const common::Clock &clock, RetrierOptions options)
    : m_db(db), m_clock(clock), m_options(std::move(options)), m_dispatcher(db, clock, m_options.dispatch)
{
    m_lease = std::make_unique<Lease>(db, kWebhooksLease, m_options.holder.isEmpty() ? Lease::processHolder() : m_options.holder,
                                      m_options.leaseTtlMs, clock);
}

WebhookRetrier::~WebhookRetrier() = default;

Result<RetryRound> WebhookRetrier::runOnce()
{
    RetryRound round;
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const qint64 ttl = m_clock.clockMs(m_options.leaseTtlMs); // real, as the lease's (lease.h)
    if (m_heldUntil - now > ttl / 2) {
        round.leaseHeld = true;
    } else {
        m_heldUntil = 0;
        ORRERY_ASSIGN_OR_RETURN(round.leaseHeld, m_lease->acquire());
        if (round.leaseHeld)
            m_heldUntil = now + ttl;
    }
    if (!round.leaseHeld)
        return round;
    ORRERY_ASSIGN_OR_RETURN(round.report, m_dispatcher.deliverDue(false));
    return round;
}

Status WebhookRetrier::releaseLease()
{
    m_heldUntil = 0;
    return m_lease->release();
}

std::unique_ptr<WebhookRetrierThread> WebhookRetrierThread::start(const QString &databasePath, RetrierOptions options)
{
    std::unique_ptr<WebhookRetrierThread> self(new WebhookRetrierThread());
    WebhookRetrierThread *raw = self.get();
    raw->m_thread = QThread::create([raw, databasePath, options] { raw->run(databasePath, options); });
    raw->m_thread->setObjectName(QStringLiteral("webhook retrier"));
    raw->m_thread->start();
    return self;
}

WebhookRetrierThread::~WebhookRetrierThread()
{
    stop();
}

void WebhookRetrierThread::stop()
{
    {
        std::lock_guard<std::mutex> lock(m_mutex);
        m_stop = true;
    }
    m_wake.notify_all();
    if (m_thread) {
        m_thread->wait();
        delete m_thread;
        m_thread = nullptr;
    }
}

void WebhookRetrierThread::run(const QString &databasePath, const RetrierOptions &options)
{
    QSet<QString> reported;
    auto report = [&reported](const Status &s) {
        const QString text = s.toString();
        if (!reported.contains(text)) {
            reported.insert(text);
            std::fprintf(stderr, "webhooks: %s\n", qPrintable(text));
        }
    };
    auto db = store::Database::open(databasePath);
    if (!db) {
        report(db.status());
        return;
    }
    WebhookRetrier retrier(**db, common::Clock::system(), options);
    for (;;) {
        {
            std::unique_lock<std::mutex> lock(m_mutex);
            if (m_stop)
                break;
        }
        const auto round = retrier.runOnce();
        if (!round)
            report(round.status());
        std::unique_lock<std::mutex> lock(m_mutex);
        m_wake.wait_for(lock, std::chrono::milliseconds(options.pollMs), [this] { return m_stop; });
        if (m_stop)
            break;
    }
    const Status released = retrier.releaseLease();
    if (!released)
        report(released);
}

} // namespace orrery::registry
