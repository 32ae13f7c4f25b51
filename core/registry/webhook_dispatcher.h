#pragma once
// WebhookDispatcher: sends the durable webhook deliveries that webhook_events.h queues.
//
// Each delivery is an HTTP POST of its queued JSON payload with the headers
//   X-Orrery-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the webhook's secret>
//   X-Orrery-Event:     the event name
//   X-Orrery-Delivery:  the delivery's id (a receiver can drop duplicates with it)
// A 2xx answer marks it delivered. Anything else — another status (the status and the first bytes
// of the answer are recorded), a refused connection, no answer within the timeout — is a failed
// attempt: it is retried with backoff (30 s, 2 min, 10 min, 1 h by default) and marked failed
// after maxAttempts. Redirects are never followed (a 3xx is a failed attempt naming the Location).
//
// Never sent twice at once: deliveries are claimed in an IMMEDIATE transaction before they are
// sent (attempts + 1, next_attempt pushed past the send's deadline), so a second dispatcher —
// in this process or another — does not see them as due. A process that dies mid-send leaves the
// claim to expire (timeout + claimMarginMs, real time), and the attempt counts. The backoff is the
// clock's time (core/common/clock.h: a scenario's compressed clock retries sooner in real time).
//
// Who sends: the command that made a change calls deliverPendingNow() once (first attempts only);
// retries are made by the process holding the "webhooks" lease (webhook_retrier.h). Each call
// sends its batch concurrently and waits at most the timeout in all.

#include "core/common/clock.h"
#include "core/common/status.h"

#include <QByteArray>
#include <QVector>

namespace orrery::store {
class Database;
}

namespace orrery::registry {

struct DispatchOptions {
    int timeoutMs = 5000;  // connect + answer, per call (all of a batch's requests run at once)
    int maxAttempts = 5;   // then the delivery is failed
    QVector<qint64> backoffMs{30'000, 120'000, 600'000, 3'600'000}; // after attempt 1, 2, 3, 4…
    int batch = 32;        // deliveries claimed per call
    qint64 claimMarginMs = 60'000;
};

struct DispatchReport {
    int attempted = 0;
    int delivered = 0;
    int failedAttempts = 0; // not delivered this time (retried later, or given up)
    int gaveUp = 0;         // of which marked failed now
};

class WebhookDispatcher {
public:
    explicit WebhookDispatcher(store::Database &db, const common::Clock &clock = common::Clock::system(), DispatchOptions options = {});

    // Claims and sends the pending deliveries that are due (with firstAttemptsOnly, only those
    // never tried), then records each outcome.
    Result<DispatchReport> deliverDue(bool firstAttemptsOnly = false);

    // The wait before the next attempt after `attempts` failed ones.
    qint64 backoffAfter(int attempts) const;
    const DispatchOptions &options() const { return m_options; }

    // "sha256=<hex HMAC-SHA256(secret, body)>"
    static QByteArray signature(const QByteArray &body, const QByteArray &secret);

private:
    store::Database &m_db;
    const common::Clock &m_clock;
    DispatchOptions m_options;
};

// The one call a command makes after a registry change has committed: sends, once, every
// delivery queued and not yet tried, waiting at most `timeoutMs` in all. Failures are recorded
// on the deliveries (for the lease holder to retry), not returned: the Status is an error only
// when the database could not be read or written.
Result<DispatchReport> deliverPendingNow(store::Database &db, int timeoutMs = 5000);

} // namespace orrery::registry
