#include "core/deploy/grafana_dashboard_export.h"

#include <QJsonArray>

namespace orrery::deploy {

namespace {

// The endpoint selector every query starts from (the `endpoint` variable: one, several or All).
const QString kEndpoint = QStringLiteral("endpoint=~\"$endpoint\"");
const QString kRate = QStringLiteral("$__rate_interval");

struct Target {
    QString expr;
    QString legend;
};

class Builder {
public:
    explicit Builder(const GrafanaDashboardOptions &options) : m_options(options) {}

    QJsonObject datasource() const
    {
        return {{QStringLiteral("type"), QStringLiteral("prometheus")},
                {QStringLiteral("uid"), m_options.datasourceUid.isEmpty() ? QStringLiteral("${datasource}") : m_options.datasourceUid}};
    }

    // A panel at (x, y) w × h of the 24-column grid, with its targets A, B, … .
    QJsonObject panel(const QString &type, const QString &title, const QString &description, int x, int y, int w, int h,
                      const QVector<Target> &targets, const QJsonObject &defaults, const QJsonObject &options = {},
                      const QJsonArray &overrides = {}, bool instant = false)
    {
        QJsonArray t;
        for (int i = 0; i < targets.size(); ++i) {
            QJsonObject target{{QStringLiteral("refId"), QString(QChar(u'A' + i))},
                               {QStringLiteral("datasource"), datasource()},
                               {QStringLiteral("editorMode"), QStringLiteral("code")},
                               {QStringLiteral("expr"), targets[i].expr},
                               {QStringLiteral("legendFormat"), targets[i].legend},
                               {QStringLiteral("range"), !instant},
                               {QStringLiteral("instant"), instant}};
            if (instant)
                target.insert(QStringLiteral("format"), QStringLiteral("table"));
            t.append(target);
        }
        return {{QStringLiteral("id"), ++m_id},
                {QStringLiteral("type"), type},
                {QStringLiteral("title"), title},
                {QStringLiteral("description"), description},
                {QStringLiteral("gridPos"), QJsonObject{{QStringLiteral("x"), x}, {QStringLiteral("y"), y}, {QStringLiteral("w"), w}, {QStringLiteral("h"), h}}},
                {QStringLiteral("datasource"), datasource()},
                {QStringLiteral("targets"), t},
                {QStringLiteral("fieldConfig"), QJsonObject{{QStringLiteral("defaults"), defaults}, {QStringLiteral("overrides"), overrides}}},
                {QStringLiteral("options"), options}};
    }

    QJsonObject timeseries(const QString &title, const QString &description, int x, int y, int w, int h, const QVector<Target> &targets,
                           const QString &unit, const QJsonObject &custom = {}, const QJsonArray &overrides = {})
    {
        QJsonObject defaults{{QStringLiteral("unit"), unit}, {QStringLiteral("custom"), custom}};
        const QJsonObject options{{QStringLiteral("legend"), QJsonObject{{QStringLiteral("displayMode"), QStringLiteral("list")},
                                                                         {QStringLiteral("placement"), QStringLiteral("bottom")},
                                                                         {QStringLiteral("showLegend"), true}}},
                                  {QStringLiteral("tooltip"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("multi")}, {QStringLiteral("sort"), QStringLiteral("desc")}}}};
        return panel(QStringLiteral("timeseries"), title, description, x, y, w, h, targets, defaults, options, overrides);
    }

private:
    const GrafanaDashboardOptions &m_options;
    int m_id = 0;
};

QString sel(const QString &more = QString()) { return QStringLiteral("{%1%2}").arg(kEndpoint, more); }

QString requestRate(const QString &more = QString())
{
    return QStringLiteral("sum by (endpoint, version) (rate(orrery_requests_total%1[%2]))").arg(sel(more), kRate);
}

QString latencyQuantile(const QString &q)
{
    return QStringLiteral("histogram_quantile(%1, sum by (endpoint, version, le) (rate(orrery_request_duration_seconds_bucket%2[%3])))").arg(q, sel(), kRate);
}

// Per feature of the selected endpoints; max/min by drops the scrape's job and instance, so two
// Prometheus jobs scraping one server do not draw every line twice.
QString perFeature(const QString &aggregation, const QString &metric)
{
    return QStringLiteral("%1 by (endpoint, feature) (%2%3)").arg(aggregation, metric, sel());
}

QJsonObject threshold(const QString &color, const QJsonValue &value)
{
    return {{QStringLiteral("color"), color}, {QStringLiteral("value"), value}};
}

QJsonObject variableOption(const QString &value, bool selected)
{
    return {{QStringLiteral("text"), value}, {QStringLiteral("value"), value}, {QStringLiteral("selected"), selected}};
}

QJsonArray templating(const GrafanaDashboardOptions &options, const QJsonObject &datasource)
{
    QJsonArray list;
    if (options.datasourceUid.isEmpty())
        list.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("datasource")},
                                {QStringLiteral("label"), QStringLiteral("Prometheus")},
                                {QStringLiteral("type"), QStringLiteral("datasource")},
                                {QStringLiteral("query"), QStringLiteral("prometheus")},
                                {QStringLiteral("current"), QJsonObject{}},
                                {QStringLiteral("options"), QJsonArray{}},
                                {QStringLiteral("refresh"), 1},
                                {QStringLiteral("regex"), QString()},
                                {QStringLiteral("hide"), 0}});
    const QString endpoints = QStringLiteral("label_values(orrery_requests_total, endpoint)");
    list.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("endpoint")},
                            {QStringLiteral("label"), QStringLiteral("Endpoint")},
                            {QStringLiteral("type"), QStringLiteral("query")},
                            {QStringLiteral("datasource"), datasource},
                            {QStringLiteral("query"), endpoints},
                            {QStringLiteral("definition"), endpoints},
                            {QStringLiteral("refresh"), 2}, // on time range change: new endpoints appear
                            {QStringLiteral("multi"), true},
                            {QStringLiteral("includeAll"), true},
                            {QStringLiteral("allValue"), QStringLiteral(".+")},
                            {QStringLiteral("current"), QJsonObject{{QStringLiteral("text"), QJsonArray{QStringLiteral("All")}},
                                                                    {QStringLiteral("value"), QJsonArray{QStringLiteral("$__all")}}}},
                            {QStringLiteral("options"), QJsonArray{}},
                            {QStringLiteral("sort"), 1},
                            {QStringLiteral("regex"), QString()},
                            {QStringLiteral("hide"), 0}});
    const QStringList metrics{QStringLiteral("accuracy"), QStringLiteral("precision"), QStringLiteral("recall"), QStringLiteral("f1"),
                              QStringLiteral("roc_auc"), QStringLiteral("mae"), QStringLiteral("rmse")};
    QJsonArray metricOptions;
    for (const QString &m : metrics)
        metricOptions.append(variableOption(m, m == metrics.first()));
    list.append(QJsonObject{{QStringLiteral("name"), QStringLiteral("metric")},
                            {QStringLiteral("label"), QStringLiteral("Accuracy metric")},
                            {QStringLiteral("type"), QStringLiteral("custom")},
                            {QStringLiteral("query"), metrics.join(QLatin1Char(','))},
                            {QStringLiteral("current"), variableOption(metrics.first(), true)},
                            {QStringLiteral("options"), metricOptions},
                            {QStringLiteral("multi"), false},
                            {QStringLiteral("includeAll"), false},
                            {QStringLiteral("hide"), 0}});
    return list;
}

} // namespace

QJsonObject grafanaDashboard(const GrafanaDashboardOptions &options)
{
    Builder b(options);
    const QJsonObject ds = b.datasource();
    const QString perVersion = QStringLiteral("{{endpoint}} v{{version}}");
    const QString perFeatureLegend = QStringLiteral("{{endpoint}}: {{feature}}");
    const QJsonObject zeroToOne{{QStringLiteral("axisSoftMin"), 0}, {QStringLiteral("axisSoftMax"), 1}};
    QJsonArray panels;

    // Traffic.
    panels.append(b.timeseries(QStringLiteral("Requests per second"), QStringLiteral("Infer requests answered per second, per endpoint and model version."),
                               0, 0, 12, 8, {{requestRate(), perVersion}}, QStringLiteral("reqps")));
    panels.append(b.timeseries(
        QStringLiteral("Error ratio"),
        QStringLiteral("Share of infer answers that were not 2xx, per endpoint and version; and per endpoint over the last closed monitoring window."), 12, 0, 12, 8,
        {{QStringLiteral("(%1 or %2 * 0) / %2").arg(requestRate(QStringLiteral(",code!~\"2..\"")), requestRate()), perVersion},
         {QStringLiteral("orrery_window_error_ratio%1").arg(sel()), QStringLiteral("{{endpoint}} (last window)")}},
        QStringLiteral("percentunit"), zeroToOne));
    panels.append(b.timeseries(QStringLiteral("Latency p50 / p99"),
                               QStringLiteral("From the request-duration histogram, per endpoint and version; and the p99 of the last closed window."), 0, 8, 12, 8,
                               {{latencyQuantile(QStringLiteral("0.5")), perVersion + QStringLiteral(" p50")},
                                {latencyQuantile(QStringLiteral("0.99")), perVersion + QStringLiteral(" p99")},
                                {QStringLiteral("orrery_window_latency_p99_seconds%1").arg(sel()), QStringLiteral("{{endpoint}} p99 (last window)")}},
                               QStringLiteral("s")));
    panels.append(b.panel(QStringLiteral("table"), QStringLiteral("Alerts"),
                          QStringLiteral("Orrery's pending and firing alerts (the rules of alerts.yaml, evaluated by the serving process)."), 12, 8, 12, 8,
                          {{QStringLiteral("orrery_alerts%1").arg(sel()), QString()}},
                          QJsonObject{{QStringLiteral("custom"), QJsonObject{{QStringLiteral("align"), QStringLiteral("auto")}}}},
                          QJsonObject{{QStringLiteral("showHeader"), true}}, {}, true));
    // The table shows labels: drop the columns that are no alert's.
    QJsonObject alerts = panels.last().toObject();
    alerts.insert(QStringLiteral("transformations"),
                  QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("organize")},
                                         {QStringLiteral("options"), QJsonObject{{QStringLiteral("excludeByName"),
                                                                                  QJsonObject{{QStringLiteral("Time"), true},
                                                                                              {QStringLiteral("Value"), true},
                                                                                              {QStringLiteral("__name__"), true}}}}}}});
    panels[panels.size() - 1] = alerts;

    // Drift: the alarm (after hysteresis) as the heatmap colours it, then what it rests on.
    const QJsonObject driftMappings{{QStringLiteral("type"), QStringLiteral("value")},
                                    {QStringLiteral("options"), QJsonObject{{QStringLiteral("0"), QJsonObject{{QStringLiteral("text"), QStringLiteral("no drift")},
                                                                                                               {QStringLiteral("color"), QStringLiteral("green")},
                                                                                                               {QStringLiteral("index"), 0}}},
                                                                            {QStringLiteral("1"), QJsonObject{{QStringLiteral("text"), QStringLiteral("drift")},
                                                                                                               {QStringLiteral("color"), QStringLiteral("red")},
                                                                                                               {QStringLiteral("index"), 1}}}}}};
    panels.append(b.panel(QStringLiteral("state-timeline"), QStringLiteral("Drift alarm per feature"),
                          QStringLiteral("Red while a feature (or the prediction) is in drift after hysteresis: the Monitoring area's heatmap."), 0, 16, 24, 9,
                          {{perFeature(QStringLiteral("max"), QStringLiteral("orrery_feature_drift")), perFeatureLegend}},
                          QJsonObject{{QStringLiteral("color"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("thresholds")}}},
                                      {QStringLiteral("mappings"), QJsonArray{driftMappings}},
                                      {QStringLiteral("thresholds"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("absolute")},
                                                                                 {QStringLiteral("steps"), QJsonArray{threshold(QStringLiteral("green"), QJsonValue()),
                                                                                                                      threshold(QStringLiteral("red"), 1)}}}}},
                          QJsonObject{{QStringLiteral("showValue"), QStringLiteral("never")},
                                      {QStringLiteral("mergeValues"), true},
                                      {QStringLiteral("rowHeight"), 0.9},
                                      {QStringLiteral("alignValue"), QStringLiteral("left")},
                                      {QStringLiteral("legend"), QJsonObject{{QStringLiteral("showLegend"), false}}}}));
    panels.append(b.timeseries(QStringLiteral("Drift effect per feature"),
                               QStringLiteral("Effect size of the last window: Wasserstein distance / the reference's std (numeric), Jensen-Shannon (categorical)."), 0, 25,
                               12, 8, {{perFeature(QStringLiteral("max"), QStringLiteral("orrery_feature_drift_effect")), perFeatureLegend}}, QStringLiteral("none")));
    panels.append(b.timeseries(QStringLiteral("Drift p-value per feature"), QStringLiteral("Bonferroni-adjusted p-value of the last window's test (log scale)."),
                               12, 25, 12, 8, {{perFeature(QStringLiteral("min"), QStringLiteral("orrery_feature_drift_p_value")), perFeatureLegend}},
                               QStringLiteral("none"),
                               QJsonObject{{QStringLiteral("scaleDistribution"), QJsonObject{{QStringLiteral("type"), QStringLiteral("log")}, {QStringLiteral("log"), 10}}}}));

    // Data quality beside drift.
    panels.append(b.timeseries(QStringLiteral("Data quality"),
                               QStringLiteral("Per feature in the last window: missing values, numeric values outside the reference's range, categories the reference never saw."),
                               0, 33, 12, 8,
                               {{perFeature(QStringLiteral("max"), QStringLiteral("orrery_feature_missing_share")), QStringLiteral("{{endpoint}}: {{feature}} missing")},
                                {perFeature(QStringLiteral("max"), QStringLiteral("orrery_feature_out_of_range_share")), QStringLiteral("{{endpoint}}: {{feature}} out of range")},
                                {perFeature(QStringLiteral("max"), QStringLiteral("orrery_feature_unseen_share")), QStringLiteral("{{endpoint}}: {{feature}} unseen")}},
                               QStringLiteral("percentunit"), zeroToOne));
    panels.append(b.timeseries(QStringLiteral("Rows per window"), QStringLiteral("Rows profiled in the last closed monitoring window."), 12, 33, 12, 8,
                               {{QStringLiteral("max by (endpoint) (orrery_monitor_window_rows%1)").arg(sel()), QStringLiteral("{{endpoint}}")}}, QStringLiteral("short")));

    // Accuracy from delayed labels.
    panels.append(b.timeseries(QStringLiteral("Accuracy ($metric) per version"),
                               QStringLiteral("From the delayed labels (feedback) over the rolling span, per model version."), 0, 41, 12, 8,
                               {{QStringLiteral("max by (endpoint, version) (orrery_model_accuracy%1)").arg(sel(QStringLiteral(",metric=\"$metric\""))), perVersion}},
                               QStringLiteral("none")));
    panels.append(b.timeseries(QStringLiteral("Labelled rows"), QStringLiteral("Rows with a delayed label in the rolling span the accuracy is computed over."),
                               12, 41, 12, 8, {{QStringLiteral("max by (endpoint, version) (orrery_feedback_labels%1)").arg(sel()), perVersion}},
                               QStringLiteral("short")));

    // Rollouts.
    panels.append(b.timeseries(QStringLiteral("Traffic split"), QStringLiteral("Percent of each endpoint's traffic routed to each model version."), 0, 49, 12, 8,
                               {{QStringLiteral("max by (endpoint, version) (orrery_endpoint_weight%1)").arg(sel()), perVersion}}, QStringLiteral("percent"),
                               QJsonObject{{QStringLiteral("stacking"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("normal")}}},
                                           {QStringLiteral("fillOpacity"), 30}}));
    panels.append(b.timeseries(QStringLiteral("Rollout"), QStringLiteral("The canary's weight and the step its rollout stands at (0: no rollout)."), 12, 49, 12, 8,
                               {{QStringLiteral("max by (endpoint) (orrery_rollout_canary_weight%1)").arg(sel()), QStringLiteral("{{endpoint}} canary weight")},
                                {QStringLiteral("max by (endpoint) (orrery_rollout_step%1)").arg(sel()), QStringLiteral("{{endpoint}} step")}},
                               QStringLiteral("percent"), {},
                               QJsonArray{QJsonObject{{QStringLiteral("matcher"), QJsonObject{{QStringLiteral("id"), QStringLiteral("byFrameRefID")},
                                                                                             {QStringLiteral("options"), QStringLiteral("B")}}},
                                                      {QStringLiteral("properties"), QJsonArray{QJsonObject{{QStringLiteral("id"), QStringLiteral("unit")},
                                                                                                            {QStringLiteral("value"), QStringLiteral("none")}},
                                                                                                QJsonObject{{QStringLiteral("id"), QStringLiteral("custom.axisPlacement")},
                                                                                                            {QStringLiteral("value"), QStringLiteral("right")}}}}}}));

    // Firing alerts as annotations on every time series.
    const QJsonObject alertAnnotations{{QStringLiteral("name"), QStringLiteral("Orrery alerts")},
                                       {QStringLiteral("datasource"), ds},
                                       {QStringLiteral("enable"), true},
                                       {QStringLiteral("hide"), false},
                                       {QStringLiteral("iconColor"), QStringLiteral("red")},
                                       {QStringLiteral("expr"), QStringLiteral("orrery_alerts%1").arg(sel(QStringLiteral(",alertstate=\"firing\"")))},
                                       {QStringLiteral("titleFormat"), QStringLiteral("{{alertname}}")},
                                       {QStringLiteral("textFormat"), QStringLiteral("{{endpoint}} {{feature}} {{version}}")},
                                       {QStringLiteral("tagKeys"), QStringLiteral("severity")},
                                       {QStringLiteral("useValueForTime"), false}};

    return {{QStringLiteral("id"), QJsonValue()},
            {QStringLiteral("uid"), options.uid},
            {QStringLiteral("title"), options.title},
            {QStringLiteral("description"), QStringLiteral("Orrery's live monitoring: traffic, latency, drift, data quality, accuracy, alerts and rollouts. Written by `orrery-cli export grafana`.")},
            {QStringLiteral("tags"), QJsonArray{QStringLiteral("orrery")}},
            {QStringLiteral("timezone"), QStringLiteral("browser")},
            {QStringLiteral("editable"), true},
            {QStringLiteral("graphTooltip"), 1},
            {QStringLiteral("schemaVersion"), 39},
            {QStringLiteral("version"), 1},
            {QStringLiteral("refresh"), QStringLiteral("10s")},
            {QStringLiteral("time"), QJsonObject{{QStringLiteral("from"), QStringLiteral("now-1h")}, {QStringLiteral("to"), QStringLiteral("now")}}},
            {QStringLiteral("templating"), QJsonObject{{QStringLiteral("list"), templating(options, ds)}}},
            {QStringLiteral("annotations"), QJsonObject{{QStringLiteral("list"), QJsonArray{alertAnnotations}}}},
            {QStringLiteral("panels"), panels}};
}

QVector<GrafanaQuery> grafanaDashboardQueries(const QJsonObject &dashboard)
{
    QVector<GrafanaQuery> out;
    for (const QJsonValue &p : dashboard.value(QStringLiteral("panels")).toArray())
        for (const QJsonValue &t : p.toObject().value(QStringLiteral("targets")).toArray())
            out.append({p.toObject().value(QStringLiteral("title")).toString(), t.toObject().value(QStringLiteral("refId")).toString(),
                        t.toObject().value(QStringLiteral("expr")).toString()});
    for (const QJsonValue &a : dashboard.value(QStringLiteral("annotations")).toObject().value(QStringLiteral("list")).toArray())
        if (a.toObject().contains(QStringLiteral("expr")))
            out.append({QStringLiteral("annotation: ") + a.toObject().value(QStringLiteral("name")).toString(), QString(),
                        a.toObject().value(QStringLiteral("expr")).toString()});
    return out;
}

} // namespace orrery::deploy
