#pragma once
// WebhookRetrier: retries webhook deliveries from a long-running process (`orrery-cli tracking
// serve`), only while it holds the workspace's "webhooks" lease (lease.h), so that of several
// such processes one sends. runOnce() is one round (take or renew the lease, send what is due);
// WebhookRetrierThread runs rounds on its own thread with its own database connection until
// stopped. A round may wait up to the dispatch timeout for receivers, so stop() may too.

#include "core/registry/webhook_dispatcher.h"

#include <QString>

#include <condition_variable>
#include <memory>
#include <mutex>

class QThread;

namespace orrery::registry {

class Lease;

inline const QString kWebhooksLease = QStringLiteral("webhooks");

struct RetrierOptions {
    DispatchOptions dispatch;
    qint64 leaseTtlMs = 30'000; // renewed when less than half is left
    int pollMs = 1000;          // between rounds (the thread)
    QString holder;             // empty: Lease::processHolder()
};

struct RetryRound {
    bool leaseHeld = false;
    DispatchReport report;
};

class WebhookRetrier {
public:
    WebhookRetrier(store::Database &db, const common::Clock &clock, RetrierOptions options);
    ~WebhookRetrier();

    Result<RetryRound> runOnce();
    Status releaseLease();

private:
    store::Database &m_db;
    const common::Clock &m_clock;
    RetrierOptions m_options;
    std::unique_ptr<Lease> m_lease;
    WebhookDispatcher m_dispatcher;
    qint64 m_heldUntil = 0;
};

class WebhookRetrierThread {
public:
    // Opens its own connection to `databasePath` on the new thread. Errors of a round are written
    // to stderr (each distinct one once) and the thread carries on.
    static std::unique_ptr<WebhookRetrierThread> start(const QString &databasePath, RetrierOptions options = {});
    ~WebhookRetrierThread();
    // Ends the current round, gives the lease up and joins the thread.
    void stop();

private:
    WebhookRetrierThread() = default;
    void run(const QString &databasePath, const RetrierOptions &options);
    QThread *m_thread = nullptr;
    std::mutex m_mutex;
    std::condition_variable m_wake;
    bool m_stop = false;
};

} // namespace orrery::registry
