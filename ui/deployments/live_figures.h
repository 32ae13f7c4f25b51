#pragma once
// Live figures per serving version, from two scrapes of a server's /metrics (Prometheus text,
// core/serve/metrics_text.h): request rate, error rate and p50/p99 latency over the interval
// between the scrapes. Counters and histogram buckets are cumulative since the server started,
// so the figures are the differences divided by the interval, as Prometheus' rate() and
// histogram_quantile() compute them; a counter that went down means the server restarted, and
// the later value counts from zero (Prometheus' reset rule).
//
// Plain QtCore: parsed and computed on the GUI thread, a few kilobytes once a second.

#include <QHash>
#include <QString>
#include <QVector>

#include <utility>

namespace orrery::ui {

// One (endpoint, version) series as a scrape reads it.
struct VersionCounters {
    double answered = 0; // orrery_requests_total, every code
    double failed = 0;   // … whose code is not 2xx
    QVector<std::pair<double, double>> buckets; // (le seconds, cumulative count), le ascending, +Inf last
    double weight = -1;  // orrery_endpoint_weight (-1: not exposed)
};

struct MetricsScrape {
    qint64 timeMs = 0;
    QHash<std::pair<QString, QString>, VersionCounters> versions; // (endpoint, version)
    QHash<QString, int> rolloutStep;   // orrery_rollout_step by endpoint
};

// Parses the families above; other lines are ignored, malformed ones skipped.
MetricsScrape parseMetricsScrape(const QByteArray &text, qint64 timeMs);

struct VersionFigures {
    QString endpoint;
    QString version;
    double requestsPerSecond = 0;
    double errorRate = 0;  // share of answers not 2xx in the interval; 0 when none
    double p50Ms = -1;     // -1: no request in the interval
    double p99Ms = -1;
    double requests = 0;   // answers in the interval
    double weight = -1;
};

// q in (0, 1] of the bucket deltas, linearly interpolated within the bucket (histogram_quantile);
// -1 when the interval holds no observation.
double bucketQuantile(const QVector<std::pair<double, double>> &deltas, double q);

// The figures over [previous, current], sorted by endpoint then version.
QVector<VersionFigures> liveFigures(const MetricsScrape &previous, const MetricsScrape &current);

} // namespace orrery::ui
