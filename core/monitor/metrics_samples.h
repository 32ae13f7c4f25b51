#pragma once
// Reading Prometheus' text exposition format (0.0.4) back into samples: what core/serve's
// /metrics writes (metrics_text.h), so the alert rules (alert_evaluator.h) see exactly the series
// a Prometheus scraping the same server would see.
//
// Read: `# …` lines (HELP, TYPE, comments) are skipped; a sample is
//   name[{label="value",…[,]}] value [timestamp]
// with label values escaped as \\, \" and \n, the value a float (NaN, +Inf, -Inf included), the
// timestamp an integer (read and ignored: /metrics never writes one). Histogram lines are plain
// samples (`…_bucket{le="0.5"}`), as PromQL sees them.
//
// Bad input is an error naming the line, the column and what was expected — never a crash and
// never a half-read sample: the whole text is refused, so a broken scrape cannot look like
// series that vanished (which would resolve alerts).

#include "core/common/status.h"

#include <QByteArray>
#include <QMap>
#include <QString>
#include <QVector>

namespace orrery::monitor {

struct MetricSample {
    QString name;
    QMap<QString, QString> labels; // sorted by name; no __name__
    double value = 0;

    // `name{a="1",b="2"}`, labels sorted: what Prometheus prints for a series.
    QString seriesText() const;
};

// The samples of `text` in order; InvalidArgument "metrics line L, column C: …" on the first bad line.
Result<QVector<MetricSample>> parseMetricsText(const QByteArray &text);

// True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*) and label name ([a-zA-Z_][a-zA-Z0-9_]*).
bool isMetricName(const QString &name);
bool isLabelName(const QString &name);

} // namespace orrery::monitor
