#include "ui/deployments/live_figures.h"

#include <QList>

#include <algorithm>
#include <cmath>
#include <limits>

namespace orrery::ui {
namespace {

struct Sample {
    QByteArray name;
    QHash<QByteArray, QString> labels;
    double value = 0;
};

// `name{k="v",…} value [timestamp]`; false for a comment or a line it cannot read.
bool parseSample(const QByteArray &line, Sample &out)
{
    if (line.isEmpty() || line.startsWith('#'))
        return false;
    int i = 0;
    const int n = int(line.size());
    while (i < n && line[i] != '{' && line[i] != ' ')
        ++i;
    out.name = line.left(i);
    out.labels.clear();
    if (i < n && line[i] == '{') {
        ++i;
        while (i < n && line[i] != '}') {
            const int eq = int(line.indexOf('=', i));
            if (eq < 0 || eq + 1 >= n || line[eq + 1] != '"')
                return false;
            const QByteArray key = line.mid(i, eq - i).trimmed();
            QByteArray value;
            int j = eq + 2;
            for (; j < n && line[j] != '"'; ++j) {
                if (line[j] == '\\' && j + 1 < n) {
                    ++j;
                    value += line[j] == 'n' ? '\n' : line[j];
                } else {
                    value += line[j];
                }
            }
            if (j >= n)
                return false;
            out.labels.insert(key, QString::fromUtf8(value));
            i = j + 1;
            if (i < n && line[i] == ',')
                ++i;
        }
        if (i >= n)
            return false;
        ++i; // '}'
    }
    const QList<QByteArray> rest = line.mid(i).trimmed().split(' ');
    if (rest.isEmpty() || rest.first().isEmpty())
        return false;
    const QByteArray &v = rest.first();
    bool ok = true;
    if (v == "+Inf")
        out.value = std::numeric_limits<double>::infinity();
    else if (v == "-Inf")
        out.value = -std::numeric_limits<double>::infinity();
    else if (v == "NaN")
        out.value = std::numeric_limits<double>::quiet_NaN();
    else
        out.value = v.toDouble(&ok);
    return ok;
}

double parseLe(const QString &le)
{
    if (le == QLatin1String("+Inf"))
        return std::numeric_limits<double>::infinity();
    bool ok = false;
    const double v = le.toDouble(&ok);
    return ok ? v : std::numeric_limits<double>::quiet_NaN();
}

// A counter's increase, with Prometheus' reset rule.
double increase(double before, double after)
{
    return after >= before ? after - before : after;
}

} // namespace

MetricsScrape parseMetricsScrape(const QByteArray &text, qint64 timeMs)
{
    MetricsScrape scrape;
    scrape.timeMs = timeMs;
    Sample s;
    for (const QByteArray &raw : text.split('\n')) {
        if (!parseSample(raw.trimmed(), s))
            continue;
        if (s.name == "orrery_rollout_step") {
            scrape.rolloutStep.insert(s.labels.value("endpoint"), int(s.value));
            continue;
        }
        const bool requests = s.name == "orrery_requests_total";
        const bool bucket = s.name == "orrery_request_duration_seconds_bucket";
        const bool weight = s.name == "orrery_endpoint_weight";
        if (!requests && !bucket && !weight)
            continue;
        VersionCounters &c = scrape.versions[{s.labels.value("endpoint"), s.labels.value("version")}];
        if (requests) {
            c.answered += s.value;
            if (!s.labels.value("code").startsWith(QLatin1Char('2')))
                c.failed += s.value;
        } else if (bucket) {
            const double le = parseLe(s.labels.value("le"));
            if (!std::isnan(le))
                c.buckets.append({le, s.value});
        } else {
            c.weight = s.value;
        }
    }
    for (VersionCounters &c : scrape.versions)
        std::sort(c.buckets.begin(), c.buckets.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
    return scrape;
}

double bucketQuantile(const QVector<std::pair<double, double>> &deltas, double q)
{
    if (deltas.isEmpty())
        return -1;
    const double total = deltas.last().second;
    if (total <= 0)
        return -1;
    const double rank = q * total;
    double lowerEdge = 0, lowerCount = 0;
    for (const auto &[le, count] : deltas) {
        if (count >= rank) {
            if (std::isinf(le))
                return lowerEdge; // above the last finite bucket: its edge, as Prometheus answers
            if (count == lowerCount)
                return le;
            return lowerEdge + (le - lowerEdge) * (rank - lowerCount) / (count - lowerCount);
        }
        lowerEdge = le;
        lowerCount = count;
    }
    return lowerEdge;
}

QVector<VersionFigures> liveFigures(const MetricsScrape &previous, const MetricsScrape &current)
{
    QVector<VersionFigures> out;
    const double seconds = double(current.timeMs - previous.timeMs) / 1000.0;
    for (auto it = current.versions.cbegin(); it != current.versions.cend(); ++it) {
        const VersionCounters &now = it.value();
        const VersionCounters before = previous.versions.value(it.key());
        VersionFigures f;
        f.endpoint = it.key().first;
        f.version = it.key().second;
        f.weight = now.weight;
        const bool reset = now.answered < before.answered;
        f.requests = increase(before.answered, now.answered);
        const double failed = reset ? now.failed : increase(before.failed, now.failed);
        f.requestsPerSecond = seconds > 0 ? f.requests / seconds : 0;
        f.errorRate = f.requests > 0 ? failed / f.requests : 0;
        QVector<std::pair<double, double>> deltas;
        deltas.reserve(now.buckets.size());
        for (int i = 0; i < now.buckets.size(); ++i) {
            const double was = !reset && i < before.buckets.size() && before.buckets[i].first == now.buckets[i].first ? before.buckets[i].second : 0;
            deltas.append({now.buckets[i].first, increase(was, now.buckets[i].second)});
        }
        const double p50 = bucketQuantile(deltas, 0.5);
        const double p99 = bucketQuantile(deltas, 0.99);
        f.p50Ms = p50 < 0 ? -1 : p50 * 1000;
        f.p99Ms = p99 < 0 ? -1 : p99 * 1000;
        out.append(f);
    }
    std::sort(out.begin(), out.end(), [](const VersionFigures &a, const VersionFigures &b) {
        if (a.endpoint != b.endpoint)
            return a.endpoint < b.endpoint;
        return a.version.toInt() != b.version.toInt() ? a.version.toInt() < b.version.toInt() : a.version < b.version;
    });
    return out;
}

} // namespace orrery::ui
