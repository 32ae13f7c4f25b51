#include "core/monitor/alertmanager_client.h"

#include "core/common/clock.h"
#include "core/http/http_client.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::monitor {

namespace {

QString iso(qint64 ms) { return common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)); }

QJsonObject object(const QMap<QString, QString> &map)
{
    QJsonObject o;
    for (auto it = map.cbegin(); it != map.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonObject alertJson(const Alert &a, qint64 endsAt, const QString &generatorUrl)
{
    QJsonObject o{{QStringLiteral("labels"), object(a.labels)},
                  {QStringLiteral("annotations"), object(a.annotations)},
                  {QStringLiteral("startsAt"), iso(a.firedAt ? a.firedAt : a.activeSince)},
                  {QStringLiteral("endsAt"), iso(endsAt)}};
    if (!generatorUrl.isEmpty())
        o.insert(QStringLiteral("generatorURL"), generatorUrl);
    return o;
}

} // namespace

AlertmanagerClient::AlertmanagerClient(QString baseUrl, int timeoutMs) : m_base(std::move(baseUrl)), m_timeoutMs(timeoutMs)
{
    while (m_base.endsWith(QLatin1Char('/')))
        m_base.chop(1);
}

QByteArray AlertmanagerClient::alertsBody(const QVector<Alert> &firing, const QVector<Alert> &resolved, qint64 now, qint64 evaluateEveryMs,
                                          const QString &generatorUrl)
{
    QJsonArray out;
    for (const Alert &a : firing)
        out.append(alertJson(a, now + 4 * evaluateEveryMs, generatorUrl));
    for (const Alert &a : resolved)
        out.append(alertJson(a, a.resolvedAt ? a.resolvedAt : now, generatorUrl));
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

Result<QByteArray> AlertmanagerClient::post(const QString &path, const QByteArray &body)
{
    http::OutgoingRequest request;
    request.url = QUrl(m_base + path);
    request.body = body;
    const QVector<http::IncomingReply> replies = http::postAll({request}, m_timeoutMs, 4096);
    const http::IncomingReply &r = replies.first();
    if (r.status == 0)
        return Status(ErrorCode::Io, QStringLiteral("Alertmanager at %1 did not answer POST %2: %3; is it running there (alerts.yaml's `alertmanager`)?")
                                         .arg(m_base, path, r.error));
    if (r.status < 200 || r.status > 299)
        return Status(ErrorCode::Io, QStringLiteral("Alertmanager at %1 answered POST %2 with %3: %4").arg(m_base, path).arg(r.status).arg(QString::fromUtf8(r.body.left(300)).trimmed()));
    return r.body;
}

Status AlertmanagerClient::postAlerts(const QVector<Alert> &firing, const QVector<Alert> &resolved, qint64 now, qint64 evaluateEveryMs,
                                      const QString &generatorUrl)
{
    if (firing.isEmpty() && resolved.isEmpty())
        return Status();
    return post(QStringLiteral("/api/v2/alerts"), alertsBody(firing, resolved, now, evaluateEveryMs, generatorUrl)).status();
}

Result<QString> AlertmanagerClient::createSilence(const QMap<QString, QString> &labels, qint64 startsMs, qint64 endsMs, const QString &createdBy,
                                                  const QString &comment)
{
    QJsonArray matchers;
    for (auto it = labels.cbegin(); it != labels.cend(); ++it)
        matchers.append(QJsonObject{{QStringLiteral("name"), it.key()},
                                    {QStringLiteral("value"), it.value()},
                                    {QStringLiteral("isRegex"), false},
                                    {QStringLiteral("isEqual"), true}});
    const QJsonObject body{{QStringLiteral("matchers"), matchers},
                           {QStringLiteral("startsAt"), iso(startsMs)},
                           {QStringLiteral("endsAt"), iso(endsMs)},
                           {QStringLiteral("createdBy"), createdBy},
                           {QStringLiteral("comment"), comment}};
    ORRERY_ASSIGN_OR_RETURN(const QByteArray answer, post(QStringLiteral("/api/v2/silences"), QJsonDocument(body).toJson(QJsonDocument::Compact)));
    const QString id = QJsonDocument::fromJson(answer).object().value(QStringLiteral("silenceID")).toString();
    if (id.isEmpty())
        return Status(ErrorCode::Io, QStringLiteral("Alertmanager at %1 answered the silence without a silenceID: %2").arg(m_base, QString::fromUtf8(answer.left(300))));
    return id;
}

} // namespace orrery::monitor
