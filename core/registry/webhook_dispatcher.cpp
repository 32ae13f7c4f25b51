#include "core/registry/webhook_dispatcher.h"

#include "core/http/http_client.h"
#include "core/registry/webhooks.h"
#include "core/store/database.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QUrl>

namespace orrery::registry {

namespace {

struct Claimed {
    qint64 id = 0;
    QString event;
    QByteArray payload;
    int attempts = 0; // including this one
    QString url;
    QByteArray secret;
    QString refused;  // the URL no longer passes checkWebhookUrl
};

// The first bytes of an answer, printable, for last_error.
QString firstBytes(const QByteArray &body)
{
    QString text = QString::fromUtf8(body.left(200));
    for (QChar &c : text)
        if (c.unicode() < 0x20)
            c = QLatin1Char(' ');
    return text.trimmed();
}

} // namespace

WebhookDispatcher::WebhookDispatcher(store::Database &db, const common::Clock &clock, DispatchOptions options)
    : m_db(db), m_clock(clock), m_options(std::move(options))
{
}

QByteArray WebhookDispatcher::signature(const QByteArray &body, const QByteArray &secret)
{
    return QByteArrayLiteral("sha256=") + QMessageAuthenticationCode::hash(body, secret, QCryptographicHash::Sha256).toHex();
}

qint64 WebhookDispatcher::backoffAfter(int attempts) const
{
    if (m_options.backoffMs.isEmpty())
        return 60'000;
    const int i = qBound(0, attempts - 1, int(m_options.backoffMs.size()) - 1);
    return m_options.backoffMs[i];
}

Result<DispatchReport> WebhookDispatcher::deliverDue(bool firstAttemptsOnly)
{
    DispatchReport report;
    const qint64 now = m_clock.now().toMSecsSinceEpoch();
    const QString due = QStringLiteral("d.state = 'pending' AND d.next_attempt <= ?%1").arg(firstAttemptsOnly ? QStringLiteral(" AND d.attempts = 0") : QString());
    {   // A read first, so an idle poll takes no write lock.
        ORRERY_ASSIGN_OR_RETURN(auto any, m_db.prepare(QStringLiteral("SELECT 1 FROM webhook_deliveries d WHERE %1 LIMIT 1").arg(due)));
        any.bind(1, now);
        const bool found = any.next();
        ORRERY_TRY(any.status());
        if (!found)
            return report;
    }
    QVector<Claimed> claimed;
    {   // Claim: one IMMEDIATE transaction, so no other dispatcher sees these as due meanwhile.
        store::Transaction tx(m_db);
        ORRERY_TRY(tx.status());
        ORRERY_ASSIGN_OR_RETURN(auto select, m_db.prepare(QStringLiteral("SELECT d.id, d.event, d.payload, d.attempts, w.url, w.secret, w.allow_http "
                                                                         "FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id "
                                                                         "WHERE %1 ORDER BY d.next_attempt, d.id LIMIT ?").arg(due)));
        select.bind(1, now).bind(2, qMax(1, m_options.batch));
        while (select.next()) {
            Claimed c;
            c.id = select.int64(0);
            c.event = select.text(1);
            c.payload = select.text(2).toUtf8();
            c.attempts = int(select.int64(3)) + 1;
            c.url = select.text(4);
            c.secret = select.text(5).toUtf8();
            const Status ok = checkWebhookUrl(c.url, select.int64(6) != 0);
            if (!ok)
                c.refused = ok.message();
            claimed << c;
        }
        ORRERY_TRY(select.status());
        ORRERY_ASSIGN_OR_RETURN(auto claim, m_db.prepare(QStringLiteral("UPDATE webhook_deliveries SET attempts = attempts + 1, next_attempt = ? WHERE id = ?")));
        for (const Claimed &c : std::as_const(claimed)) {
            claim.reset();
            // The send's deadline is real; on a compressed clock (core/common/clock.h) the claim
            // must outlast it in clock time, or another dispatcher sends the delivery again.
            claim.bind(1, now + m_clock.clockMs(m_options.timeoutMs + m_options.claimMarginMs)).bind(2, c.id);
            ORRERY_TRY(claim.run());
        }
        ORRERY_TRY(tx.commit());
    }
    if (claimed.isEmpty())
        return report;

    QVector<http::OutgoingRequest> requests;
    QVector<int> sentIndex(claimed.size(), -1);
    for (int i = 0; i < claimed.size(); ++i) {
        const Claimed &c = claimed[i];
        if (!c.refused.isEmpty())
            continue;
        http::OutgoingRequest r;
        r.url = QUrl(c.url);
        r.body = c.payload;
        r.headers = {{QByteArrayLiteral("X-Orrery-Signature"), signature(c.payload, c.secret)},
                     {QByteArrayLiteral("X-Orrery-Event"), c.event.toUtf8()},
                     {QByteArrayLiteral("X-Orrery-Delivery"), QByteArray::number(c.id)}};
        sentIndex[i] = int(requests.size());
        requests << r;
    }
    const QVector<http::IncomingReply> replies = http::postAll(requests, m_options.timeoutMs, 1024);

    const qint64 done = m_clock.now().toMSecsSinceEpoch();
    store::Transaction tx(m_db);
    ORRERY_TRY(tx.status());
    ORRERY_ASSIGN_OR_RETURN(auto delivered, m_db.prepare(QStringLiteral("UPDATE webhook_deliveries SET state = 'delivered', last_status = ?, last_error = '', finished = ? WHERE id = ?")));
    ORRERY_ASSIGN_OR_RETURN(auto retry, m_db.prepare(QStringLiteral("UPDATE webhook_deliveries SET last_status = ?, last_error = ?, next_attempt = ? WHERE id = ?")));
    ORRERY_ASSIGN_OR_RETURN(auto failed, m_db.prepare(QStringLiteral("UPDATE webhook_deliveries SET state = 'failed', last_status = ?, last_error = ?, finished = ? WHERE id = ?")));
    for (int i = 0; i < claimed.size(); ++i) {
        const Claimed &c = claimed[i];
        ++report.attempted;
        int status = 0;
        QString error;
        if (sentIndex[i] < 0) {
            error = QStringLiteral("not sent: ") + c.refused;
        } else {
            const http::IncomingReply &reply = replies[sentIndex[i]];
            status = reply.status;
            if (status >= 200 && status < 300) {
                delivered.reset();
                delivered.bind(1, status).bind(2, done).bind(3, c.id);
                ORRERY_TRY(delivered.run());
                ++report.delivered;
                continue;
            }
            if (reply.timedOut)
                error = QStringLiteral("timed out: %1").arg(reply.error);
            else if (status >= 300 && status < 400)
                error = QStringLiteral("HTTP %1: redirects are not followed (Location: %2)").arg(status).arg(QString::fromUtf8(reply.location.left(200)));
            else if (status > 0)
                error = QStringLiteral("HTTP %1: %2").arg(status).arg(firstBytes(reply.body));
            else
                error = reply.error.isEmpty() ? QStringLiteral("no answer") : reply.error;
        }
        ++report.failedAttempts;
        if (c.attempts >= m_options.maxAttempts) {
            failed.reset();
            failed.bind(1, status).bind(2, error + QStringLiteral(" (gave up after %1 attempts)").arg(c.attempts)).bind(3, done).bind(4, c.id);
            ORRERY_TRY(failed.run());
            ++report.gaveUp;
        } else {
            retry.reset();
            retry.bind(1, status).bind(2, error).bind(3, done + backoffAfter(c.attempts)).bind(4, c.id);
            ORRERY_TRY(retry.run());
        }
    }
    ORRERY_TRY(tx.commit());
    return report;
}

Result<DispatchReport> deliverPendingNow(store::Database &db, int timeoutMs)
{
    DispatchOptions options;
    options.timeoutMs = timeoutMs;
    WebhookDispatcher dispatcher(db, common::Clock::system(), options);
    return dispatcher.deliverDue(true);
}

} // namespace orrery::registry
