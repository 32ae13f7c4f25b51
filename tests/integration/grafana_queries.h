#pragma once
// The PromQL of a Grafana dashboard JSON (as `orrery-cli export grafana` writes it): every
// panel target's and annotation's `expr`, with Grafana's variables put in as Grafana would for
// one endpoint, so Prometheus (or promtool) can read them.
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QVector>

namespace orrery::testing {

struct DashboardQuery {
    QString where; // "panel TITLE, target A" or "annotation NAME"
    QString expr;  // with the variables put in
};

// $endpoint → `endpoint`, $metric → `metric`, $__rate_interval → `rateInterval` (Grafana's is at
// least four scrape intervals; a minute holds 60 one-second scrapes).
inline QVector<DashboardQuery> dashboardQueries(const QJsonObject &dashboard, const QString &endpoint, const QString &metric = QStringLiteral("accuracy"),
                                                const QString &rateInterval = QStringLiteral("1m"))
{
    auto fill = [&](QString e) {
        return e.replace(QLatin1String("$__rate_interval"), rateInterval).replace(QLatin1String("$endpoint"), endpoint).replace(QLatin1String("$metric"), metric);
    };
    QVector<DashboardQuery> out;
    for (const QJsonValue &p : dashboard.value(QStringLiteral("panels")).toArray())
        for (const QJsonValue &t : p[QStringLiteral("targets")].toArray())
            out.append({QStringLiteral("panel '%1', target %2").arg(p[QStringLiteral("title")].toString(), t[QStringLiteral("refId")].toString()),
                        fill(t[QStringLiteral("expr")].toString())});
    for (const QJsonValue &a : dashboard.value(QStringLiteral("annotations"))[QStringLiteral("list")].toArray())
        if (a.toObject().contains(QStringLiteral("expr")))
            out.append({QStringLiteral("annotation '%1'").arg(a[QStringLiteral("name")].toString()), fill(a[QStringLiteral("expr")].toString())});
    return out;
}

} // namespace orrery::testing
