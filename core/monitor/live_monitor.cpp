#include "core/monitor/live_monitor.h"

#include "core/common/clock.h"
#include "core/monitor/feedback_accuracy.h"
#include "core/monitor/monitor_window_store.h"

#include <QDateTime>
#include <QJsonArray>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

namespace orrery::monitor {

namespace {

// Where each input column and the prediction go among the profile's features.
struct FeatureMap {
    EndpointReference reference;
    std::map<QString, std::vector<int>> inputColumns; // tensor name → feature index per column (-1: not profiled)
    int prediction = -1;
    QString predictionOutput;
    int predictionColumn = 0;
    QStringList classes;
};

std::shared_ptr<const FeatureMap> mapFeatures(EndpointReference reference)
{
    auto m = std::make_shared<FeatureMap>();
    const ReferenceProfile &profile = *reference.profile;
    auto indexOf = [&](const QString &name) {
        for (size_t i = 0; i < profile.features.size(); ++i)
            if (profile.features[i].name == name && profile.features[i].role == QLatin1String("feature"))
                return int(i);
        return -1;
    };
    for (const QJsonValue &v : reference.signature.value(QStringLiteral("inputs")).toArray()) {
        const QJsonObject input = v.toObject();
        std::vector<int> columns;
        for (const QJsonValue &c : input.value(QStringLiteral("columns")).toArray())
            columns.push_back(indexOf(c.toString()));
        m->inputColumns[input.value(QStringLiteral("name")).toString()] = columns;
    }
    for (size_t i = 0; i < profile.features.size(); ++i)
        if (profile.features[i].role == QLatin1String("prediction"))
            m->prediction = int(i);
    const QJsonArray outputs = reference.signature.value(QStringLiteral("outputs")).toArray();
    if (!outputs.isEmpty()) {
        const QJsonObject out = outputs.first().toObject();
        m->predictionOutput = out.value(QStringLiteral("name")).toString();
        for (const QJsonValue &c : out.value(QStringLiteral("classes")).toArray())
            m->classes << c.toString();
        if (!m->classes.isEmpty())
            m->predictionColumn = m->classes.contains(QStringLiteral("1")) ? int(m->classes.indexOf(QStringLiteral("1"))) : int(m->classes.size() - 1);
    }
    m->reference = std::move(reference);
    return m;
}

struct Window {
    QString endpoint;
    qint64 startMs = 0;
    std::shared_ptr<const FeatureMap> features; // null: requests counted only
    std::vector<FeatureSketch> sketches;
    qint64 records = 0, rows = 0;
    std::map<QString, qint64> versions, classes;

    void attach(std::shared_ptr<const FeatureMap> map)
    {
        features = std::move(map);
        sketches.clear();
        if (features)
            for (const FeatureProfile &f : features->reference.profile->features)
                sketches.emplace_back(f);
    }
};

struct FeatureGauge {
    QString name;
    bool tested = false, alarm = false;
    double effect = 0, pValue = 1, missing = 0, outOfRange = 0, unseen = 0;
};

struct EndpointGauges {
    qint64 rows = 0;
    double p99Seconds = NAN, errorRatio = NAN;
    std::vector<FeatureGauge> features;
    QVector<AccuracyFigures> accuracy; // per version
};

void addLatency(serve::LatencySnapshot &sum, const serve::LatencySnapshot &x)
{
    if (sum.counts.size() < x.counts.size())
        sum.counts.resize(x.counts.size(), 0);
    for (size_t i = 0; i < x.counts.size(); ++i)
        sum.counts[i] += x.counts[i];
    sum.sumSeconds += x.sumSeconds;
}

} // namespace

struct LiveMonitor::Impl {
    LiveMonitorOptions o;
    std::shared_ptr<serve::PredictionHook> next;
    CountersSource counters;
    NowMs now;
    std::unique_ptr<MonitorWindowStore> store;

    // Guarded by m: the windows in progress and the ones record() closed.
    mutable std::mutex m;
    std::map<QString, Window> windows;
    std::vector<Window> closed;

    // The ticker's own state.
    std::map<QString, std::shared_ptr<const FeatureMap>> maps;       // endpoint → its grid's map
    std::map<QString, QString> grids;                                  // endpoint → grid text
    std::map<QString, std::map<QString, DriftHysteresis>> alarms;      // endpoint → feature → alarm
    std::map<QString, std::map<QString, serve::VersionSnapshot>> lastCounters;
    qint64 lastRetentionMs = 0;

    mutable std::mutex gm;
    std::map<QString, EndpointGauges> gauges;

    std::mutex tm;
    std::condition_variable wake;
    bool stopping = false;
    std::thread ticker;

    qint64 windowStart(qint64 t) const { return t - (t % o.windowMs + o.windowMs) % o.windowMs; }
    void loadEndpoints();
    void process(Window &w);
    std::vector<FeatureSketch> referenceSketches(const Window &w, const ReferenceChoice &choice, QString *describe);
};

Result<std::shared_ptr<LiveMonitor>> LiveMonitor::open(const QString &databasePath, LiveMonitorOptions options,
                                                       std::shared_ptr<serve::PredictionHook> next, CountersSource counters, NowMs now)
{
    if (options.windowMs < 100)
        return invalidArgument(QStringLiteral("a monitoring window of %1 ms is too short; use at least 100 ms").arg(options.windowMs));
    std::shared_ptr<LiveMonitor> monitor(new LiveMonitor());
    monitor->d = std::make_unique<Impl>();
    Impl *d = monitor->d.get();
    d->o = options;
    d->next = std::move(next);
    d->counters = std::move(counters);
    d->now = now ? std::move(now) : NowMs([] { return common::Clock::system().nowMs(); });
    ORRERY_ASSIGN_OR_RETURN(d->store, MonitorWindowStore::open(databasePath));
    d->loadEndpoints();
    if (options.ownTicker) {
        // A window closes at most a tenth of its real length late, however compressed the clock
        // (a 1-minute window at 60× lasts a real second); the bounds are exact either way.
        const qint64 realWindowMs = common::Clock::system().realMs(d->o.windowMs);
        d->o.tickMs = int(std::min<qint64>(d->o.tickMs, std::max<qint64>(20, realWindowMs / 10)));
        LiveMonitor *self = monitor.get();
        d->ticker = std::thread([self, d] {
            std::unique_lock lock(d->tm);
            while (!d->stopping) {
                lock.unlock();
                self->tick();
                lock.lock();
                d->wake.wait_for(lock, std::chrono::milliseconds(d->o.tickMs), [d] { return d->stopping; });
            }
        });
    }
    return monitor;
}

LiveMonitor::~LiveMonitor()
{
    {
        std::lock_guard lock(d->tm);
        d->stopping = true;
    }
    d->wake.notify_all();
    if (d->ticker.joinable())
        d->ticker.join();
}

void LiveMonitor::stop()
{
    {
        std::lock_guard lock(d->tm);
        d->stopping = true;
    }
    d->wake.notify_all();
    if (d->ticker.joinable())
        d->ticker.join();
    closeAll();
    d->counters = {};
}

void LiveMonitor::record(const serve::PredictionRecord &r)
{
    if (d->next)
        d->next->record(r);
    const qint64 t = r.time.isValid() ? r.time.toMSecsSinceEpoch() : d->now();
    std::lock_guard lock(d->m);
    auto it = d->windows.find(r.endpoint);
    if (it == d->windows.end()) {
        Window w;
        w.endpoint = r.endpoint;
        w.startMs = d->windowStart(t);
        it = d->windows.emplace(r.endpoint, std::move(w)).first;
    }
    Window &w = it->second;
    if (t >= w.startMs + d->o.windowMs) { // the ticker is late: this record starts the next window
        Window fresh;
        fresh.endpoint = w.endpoint;
        fresh.startMs = d->windowStart(t);
        fresh.attach(w.features);
        d->closed.push_back(std::move(w));
        w = std::move(fresh);
    }
    ++w.records;
    ++w.versions[r.version];
    if (!w.features)
        return;
    const FeatureMap &map = *w.features;
    const auto &profile = map.reference.profile->features;
    int rows = 0;
    for (const serve::InputTensor &x : r.inputs) {
        const auto columns = map.inputColumns.find(x.name);
        if (columns == map.inputColumns.end())
            continue;
        rows = std::max(rows, x.rows);
        const std::vector<int> &to = columns->second;
        const bool text = !x.texts.empty();
        for (int row = 0; row < x.rows; ++row)
            for (qint64 c = 0; c < x.width && c < qint64(to.size()); ++c) {
                const int f = to[size_t(c)];
                if (f < 0)
                    continue;
                const size_t i = size_t(row) * size_t(x.width) + size_t(c);
                if (text)
                    w.sketches[size_t(f)].addText(i < x.texts.size() ? x.texts[i] : QString(), profile[size_t(f)]);
                else
                    w.sketches[size_t(f)].addNumber(i < x.values.size() ? double(x.values[i]) : NAN, profile[size_t(f)]);
            }
    }
    w.rows += rows;
    for (const serve::OutputTensor &y : r.outputs) {
        if (y.name != map.predictionOutput)
            continue;
        for (int row = 0; row < y.rows; ++row) {
            const double *v = y.values.data() + size_t(row) * size_t(y.width);
            if (map.prediction >= 0 && map.predictionColumn < y.width)
                w.sketches[size_t(map.prediction)].addNumber(v[map.predictionColumn], profile[size_t(map.prediction)]);
            if (!map.classes.isEmpty() && y.width == map.classes.size()) {
                const int best = int(std::max_element(v, v + y.width) - v);
                ++w.classes[map.classes[best]];
            }
        }
    }
}

void LiveMonitor::Impl::loadEndpoints()
{
    auto list = store->endpoints();
    if (!list) {
        std::fprintf(stderr, "monitor: %s\n", qPrintable(list.status().message()));
        return;
    }
    for (const auto &[endpoint, grid] : *list) {
        const auto known = grids.find(endpoint);
        if (known != grids.end() && known->second == grid)
            continue;
        auto reference = store->reference(endpoint);
        if (!reference) {
            std::fprintf(stderr, "monitor: %s\n", qPrintable(reference.status().message()));
            continue;
        }
        grids[endpoint] = grid;
        std::shared_ptr<const FeatureMap> map;
        if (reference->profile) {
            map = mapFeatures(*reference);
            auto &endpointAlarms = alarms[endpoint];
            endpointAlarms.clear();
            if (auto last = store->lastAlarms(endpoint, grid))
                for (const auto &[feature, on] : *last)
                    endpointAlarms.emplace(feature, DriftHysteresis(o.drift.clearAfter)).first->second.restore(on);
        } else {
            std::fprintf(stderr, "monitor: no drift for endpoint %s: %s\n", qPrintable(endpoint), qPrintable(reference->why));
        }
        maps[endpoint] = map;
        // Counters start from now, so the first window counts only its own requests.
        if (counters)
            for (const auto &metrics : counters(endpoint))
                lastCounters[endpoint][metrics->version()] = metrics->snapshot();
        std::lock_guard lock(m);
        auto it = windows.find(endpoint);
        if (it == windows.end()) {
            Window w;
            w.endpoint = endpoint;
            w.startMs = windowStart(now());
            w.attach(map);
            windows.emplace(endpoint, std::move(w));
        } else if (!it->second.features || it->second.records == 0) {
            it->second.attach(map);
        } else { // a new stable version: the window in progress closes on its own grid
            Window fresh;
            fresh.endpoint = endpoint;
            fresh.startMs = it->second.startMs;
            fresh.attach(map);
            closed.push_back(std::move(it->second));
            it->second = std::move(fresh);
        }
    }
}

int LiveMonitor::tick()
{
    d->loadEndpoints();
    const qint64 now = d->now();
    std::vector<Window> due;
    {
        std::lock_guard lock(d->m);
        due.swap(d->closed);
        for (auto &[endpoint, w] : d->windows)
            if (now >= w.startMs + d->o.windowMs) {
                Window fresh;
                fresh.endpoint = endpoint;
                fresh.startMs = d->windowStart(now);
                fresh.attach(w.features);
                due.push_back(std::move(w));
                w = std::move(fresh);
            }
    }
    for (Window &w : due)
        d->process(w);
    if (now - d->lastRetentionMs > 3'600'000) {
        d->lastRetentionMs = now;
        if (auto n = d->store->deleteBefore(now - qint64(d->o.retentionDays) * 86'400'000); !n)
            std::fprintf(stderr, "monitor: retention: %s\n", qPrintable(n.status().message()));
    }
    return int(due.size());
}

int LiveMonitor::closeAll()
{
    std::vector<Window> due;
    {
        std::lock_guard lock(d->m);
        due.swap(d->closed);
        for (auto &[endpoint, w] : d->windows) {
            Window fresh;
            fresh.endpoint = endpoint;
            fresh.startMs = w.startMs + d->o.windowMs;
            fresh.attach(w.features);
            due.push_back(std::move(w));
            w = std::move(fresh);
        }
    }
    for (Window &w : due)
        d->process(w);
    return int(due.size());
}

std::vector<FeatureSketch> LiveMonitor::Impl::referenceSketches(const Window &w, const ReferenceChoice &choice, QString *describe)
{
    const ReferenceProfile &profile = *w.features->reference.profile;
    const QString grid = w.features->reference.grid();
    std::vector<FeatureSketch> out;
    if (choice.kind != ReferenceChoice::Kind::Model) {
        const qint64 from = choice.kind == ReferenceChoice::Kind::Window ? choice.fromMs : w.startMs - choice.spanMs;
        const qint64 to = choice.kind == ReferenceChoice::Kind::Window ? choice.toMs : w.startMs;
        auto merged = store->mergedSketches(w.endpoint, grid, from, to, profile, &out);
        if (merged && *merged > 0) {
            *describe = QStringLiteral("%1 (%2 windows, %3 grid)").arg(choice.describe()).arg(*merged).arg(grid);
            return out;
        }
        *describe = QStringLiteral("%1 (no windows yet: %2's profile)").arg(choice.describe(), grid);
        out.clear();
    } else {
        *describe = grid;
    }
    for (const FeatureProfile &f : profile.features)
        out.push_back(FeatureSketch::ofReference(f));
    return out;
}

void LiveMonitor::Impl::process(Window &w)
{
    ClosedWindow c;
    c.endpoint = w.endpoint;
    c.startMs = w.startMs;
    c.endMs = w.startMs + o.windowMs;
    c.requests = w.records;
    c.rows = w.rows;
    c.versions = w.versions;
    c.predictedClasses = w.classes;
    EndpointGauges g;
    g.rows = w.rows;

    if (counters) {
        serve::VersionSnapshot sum;
        for (const auto &metrics : counters(w.endpoint)) {
            const serve::VersionSnapshot now = metrics->snapshot();
            auto &last = lastCounters[w.endpoint][metrics->version()];
            const serve::VersionSnapshot diff = now.minus(last);
            last = now;
            sum.answered += diff.answered;
            sum.failed += diff.failed;
            addLatency(sum.latency, diff.latency);
        }
        c.requests = qint64(sum.answered);
        if (sum.latency.total() > 0) {
            c.latencyP50Ms = sum.latency.quantile(0.5) * 1000;
            c.latencyP99Ms = sum.latency.quantile(0.99) * 1000;
            g.p99Seconds = c.latencyP99Ms / 1000;
        }
        if (sum.answered > 0)
            g.errorRatio = sum.errorRate();
    }

    if (w.features) {
        auto choice = store->referenceChoice(w.endpoint);
        const std::vector<FeatureSketch> reference = referenceSketches(w, choice ? *choice : ReferenceChoice(), &c.reference);
        c.grid = w.features->reference.grid();
        const auto &profile = w.features->reference.profile->features;
        std::vector<SketchInput> inputs;
        for (size_t i = 0; i < profile.size(); ++i)
            inputs.push_back({&profile[i], &reference[i], &w.sketches[i]});
        const DriftReport report = compareSketches(inputs, o.drift);
        auto &endpointAlarms = alarms[w.endpoint];
        for (size_t i = 0; i < report.features.size(); ++i) {
            ClosedFeature f;
            f.drift = report.features[i];
            f.alarm = endpointAlarms.emplace(profile[i].name, DriftHysteresis(o.drift.clearAfter)).first->second.update(f.drift);
            const FeatureSketch &s = w.sketches[i];
            f.outOfRangeShare = s.count() ? double(s.outOfRange()) / double(s.count()) : 0.0;
            f.counts = s.toJson(profile[i]);
            FeatureGauge fg;
            fg.name = profile[i].name;
            fg.tested = f.drift.pValueAdjusted.has_value();
            fg.alarm = f.alarm;
            fg.effect = f.drift.effectSize;
            fg.pValue = f.drift.pValueAdjusted.value_or(1.0);
            fg.missing = f.drift.currentMissingShare;
            fg.outOfRange = f.outOfRangeShare;
            fg.unseen = f.drift.unseenShare;
            g.features.push_back(fg);
            c.features.push_back(std::move(f));
        }
    } else {
        const auto known = maps.find(w.endpoint);
        c.reference = known == maps.end() ? QStringLiteral("none: the endpoint has no deployment yet")
                                          : QStringLiteral("none: %1 has no reference profile").arg(grids[w.endpoint]);
    }
    if (Status s = store->write(c); !s.isOk())
        std::fprintf(stderr, "monitor: window of %s: %s\n", qPrintable(w.endpoint), qPrintable(s.message()));
    FeedbackAccuracy accuracy(store->database());
    if (auto figures = accuracy.rolling(w.endpoint, c.endMs - o.accuracySpanMs, c.endMs))
        g.accuracy = std::move(*figures);
    else
        std::fprintf(stderr, "monitor: accuracy of %s: %s\n", qPrintable(w.endpoint), qPrintable(figures.status().message()));
    std::lock_guard lock(gm);
    gauges[w.endpoint] = std::move(g);
}

void LiveMonitor::appendMetrics(QByteArray &out) const
{
    std::lock_guard lock(d->gm);
    if (d->gauges.empty())
        return;
    struct Family {
        const char *name, *help;
        std::function<double(const FeatureGauge &)> value;
        bool testedOnly;
    };
    const Family families[] = {
        {"orrery_feature_drift", "1 while the feature is in drift (after hysteresis), else 0", [](const FeatureGauge &f) { return f.alarm ? 1.0 : 0.0; }, false},
        {"orrery_feature_drift_effect", "effect size of the last window (Wasserstein / reference std, or Jensen-Shannon)", [](const FeatureGauge &f) { return f.effect; }, true},
        {"orrery_feature_drift_p_value", "Bonferroni-adjusted p-value of the last window", [](const FeatureGauge &f) { return f.pValue; }, true},
        {"orrery_feature_missing_share", "share of missing values in the last window", [](const FeatureGauge &f) { return f.missing; }, false},
        {"orrery_feature_out_of_range_share", "share of values outside the reference's range in the last window", [](const FeatureGauge &f) { return f.outOfRange; }, false},
        {"orrery_feature_unseen_share", "share of categories the reference never saw in the last window", [](const FeatureGauge &f) { return f.unseen; }, false},
    };
    for (const Family &family : families) {
        serve::appendMetricFamily(out, family.name, "gauge", family.help);
        for (const auto &[endpoint, g] : d->gauges)
            for (const FeatureGauge &f : g.features) {
                if (family.testedOnly && !f.tested)
                    continue;
                out += family.name;
                out += '{';
                serve::appendLabel(out, "endpoint", endpoint);
                out += ',';
                serve::appendLabel(out, "feature", f.name);
                out += "} ";
                out += serve::metricNumber(family.value(f));
                out += '\n';
            }
    }
    serve::appendMetricFamily(out, "orrery_monitor_window_rows", "gauge", "rows profiled in the last closed window");
    for (const auto &[endpoint, g] : d->gauges) {
        out += "orrery_monitor_window_rows{";
        serve::appendLabel(out, "endpoint", endpoint);
        out += "} " + serve::metricNumber(double(g.rows)) + '\n';
    }
    serve::appendMetricFamily(out, "orrery_window_latency_p99_seconds", "gauge", "p99 latency of the infer answers of the last closed window");
    for (const auto &[endpoint, g] : d->gauges)
        if (std::isfinite(g.p99Seconds)) {
            out += "orrery_window_latency_p99_seconds{";
            serve::appendLabel(out, "endpoint", endpoint);
            out += "} " + serve::metricNumber(g.p99Seconds) + '\n';
        }
    serve::appendMetricFamily(out, "orrery_model_accuracy", "gauge", "each version's figures from delayed labels over the rolling span (NaN ones left out)");
    for (const auto &[endpoint, g] : d->gauges)
        for (const AccuracyFigures &a : g.accuracy) {
            const std::pair<const char *, double> figures[] = {{"accuracy", a.accuracy}, {"precision", a.precision}, {"recall", a.recall},
                                                               {"f1", a.f1}, {"roc_auc", a.rocAuc}, {"mae", a.mae}, {"rmse", a.rmse}};
            for (const auto &[metric, value] : figures) {
                if (!std::isfinite(value))
                    continue;
                out += "orrery_model_accuracy{";
                serve::appendLabel(out, "endpoint", endpoint);
                out += ',';
                serve::appendLabel(out, "version", a.version);
                out += ',';
                serve::appendLabel(out, "metric", QString::fromLatin1(metric));
                out += "} " + serve::metricNumber(value) + '\n';
            }
        }
    serve::appendMetricFamily(out, "orrery_feedback_labels", "gauge", "labelled rows each version's accuracy figures come from");
    for (const auto &[endpoint, g] : d->gauges)
        for (const AccuracyFigures &a : g.accuracy) {
            out += "orrery_feedback_labels{";
            serve::appendLabel(out, "endpoint", endpoint);
            out += ',';
            serve::appendLabel(out, "version", a.version);
            out += "} " + serve::metricNumber(double(a.labels)) + '\n';
        }
    serve::appendMetricFamily(out, "orrery_window_error_ratio", "gauge", "share of infer answers that were not 2xx in the last closed window");
    for (const auto &[endpoint, g] : d->gauges)
        if (std::isfinite(g.errorRatio)) {
            out += "orrery_window_error_ratio{";
            serve::appendLabel(out, "endpoint", endpoint);
            out += "} " + serve::metricNumber(g.errorRatio) + '\n';
        }
}

} // namespace orrery::monitor
