#pragma once
// AlertmanagerClient: Orrery's alerts told to a real Alertmanager through its v2 API, as
// Prometheus tells it (notifier/notifier.go, rules/alerting.go's sendAlerts):
//
//   POST {base}/api/v2/alerts     [{"labels", "annotations", "startsAt", "endsAt", "generatorURL"}, …]
//     firing alerts, every evaluation: startsAt = when it fired, endsAt = now + 4 × the evaluation
//       interval — so if Orrery stops sending (it died), Alertmanager resolves them by itself;
//     resolved alerts, once: endsAt = the time they resolved.
//     Pending alerts are never sent.
//   POST {base}/api/v2/silences   {"matchers": the alert's labels (equality), "startsAt", "endsAt",
//                                  "createdBy", "comment"} → {"silenceID"}
//
// Every call goes through core/http's postAll with a deadline, so a hanging Alertmanager costs
// the caller at most timeoutMs; the caller is the alert engine's own thread, never a serving one.

#include "core/common/status.h"
#include "core/monitor/alert_evaluator.h"

#include <QByteArray>
#include <QString>
#include <QVector>

namespace orrery::monitor {

class AlertmanagerClient {
public:
    // `baseUrl`: e.g. http://127.0.0.1:9093 (alerts.yaml's `alertmanager`).
    explicit AlertmanagerClient(QString baseUrl, int timeoutMs = 5000);
    const QString &baseUrl() const { return m_base; }

    // The JSON array POST /api/v2/alerts carries (see above).
    static QByteArray alertsBody(const QVector<Alert> &firing, const QVector<Alert> &resolved, qint64 nowMs, qint64 evaluateEveryMs,
                                 const QString &generatorUrl);
    // Sends them; an error names Alertmanager's URL and its answer (status and first bytes) or why none came.
    Status postAlerts(const QVector<Alert> &firing, const QVector<Alert> &resolved, qint64 nowMs, qint64 evaluateEveryMs, const QString &generatorUrl);
    // A silence matching exactly `labels` from startsMs to endsMs; its id.
    Result<QString> createSilence(const QMap<QString, QString> &labels, qint64 startsMs, qint64 endsMs, const QString &createdBy, const QString &comment);

private:
    Result<QByteArray> post(const QString &path, const QByteArray &body);
    QString m_base;
    int m_timeoutMs;
};

} // namespace orrery::monitor
