#pragma once
// The Prometheus text exposition format (version 0.0.4) as /metrics writes it: family headers,
// label values escaped, numbers as Prometheus parses them. The families core/serve exposes:
//
//   orrery_requests_total{endpoint,version,code}            counter: infer answers by HTTP status
//   orrery_request_duration_seconds{endpoint,version}       histogram: arrival to answer
//   orrery_batch_rows{endpoint,version}                     histogram: rows per model call
//   orrery_queue_rows{endpoint,version}                     gauge: rows waiting for a model call
//   orrery_endpoint_weight{endpoint,version}                gauge: percent of the endpoint's traffic
//   orrery_shadow_comparisons_total{endpoint,version}       counter: shadow answers compared
//   orrery_shadow_disagreements_total{endpoint,version}     counter: … whose predicted class differed
//
// A MetricsSource (deploy's rollout state, monitor's drift) appends families of its own.

#include <QByteArray>
#include <QString>

namespace orrery::serve {

void appendMetricFamily(QByteArray &out, const char *name, const char *type, const char *help);
// `key="value"` with \, " and newline escaped.
void appendLabel(QByteArray &out, const char *key, const QString &value);
// A sample value: integers exactly, others with 17 significant digits; +Inf, -Inf, NaN spelled
// as Prometheus reads them.
QByteArray metricNumber(double value);

class MetricsSource {
public:
    virtual ~MetricsSource() = default;
    // Called on an HTTP I/O thread for every scrape; must not block on anything slow.
    virtual void appendMetrics(QByteArray &out) const = 0;
};

} // namespace orrery::serve
