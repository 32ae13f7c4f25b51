#pragma once
// LiveMonitor: the serving process's live windows (docs/architecture.md, "Processes"). It is the
// server's PredictionHook — handing every record on to the prediction log first — and counts each
// answered request's inputs and prediction into the current window's sketches (window_sketch.h),
// per endpoint, on the grid of the reference profile of the version the endpoint serves (its
// stable version). Every `windowMs` of clock time (aligned to the epoch; core/common/clock.h: a
// scenario's compressed clock closes a 1-minute window every real second at 60×) a ticker thread
// closes the windows: compares each feature with the endpoint's reference (live_drift.h: the
// model's profile, a fixed past window or a rolling one, per monitor_references), feeds the
// hysteresis, reads the window's requests, errors and latency from the server's counters, writes
// the window in one transaction (monitor_window_store.h) and updates the gauges it adds to
// /metrics (contract in metrics_text.h's list and README: orrery_feature_drift, …_effect,
// …_p_value, data quality, orrery_monitor_window_rows, orrery_window_latency_p99_seconds,
// orrery_window_error_ratio), and, from the delayed labels of the last accuracySpanMs of
// predictions (feedback_accuracy.h), each version's orrery_model_accuracy{endpoint,version,metric}
// and orrery_feedback_labels.
//
// Inputs are mapped to features by the signature's "columns" (the profile's names); the prediction
// is the score of the positive class (class "1", else the last class) of the "probabilities"
// output, or a regressor's first output, as the feature "prediction"; predicted classes are
// counted. Every request is profiled, not the prediction log's input sample.
//
// An endpoint is picked up by the ticker (within one tick) once it has a deployment; records of an
// endpoint not loaded yet, or whose version has no profile, count as requests only. When the
// stable version changes, the window in progress closes and the next one uses the new grid.
//
// Asynchronous by design: a crash loses the window in progress (at most windowMs of figures);
// closed windows are committed. Threads: record() on the hook's consumer thread; appendMetrics()
// on HTTP I/O threads; the ticker; one mutex guards the windows and one the gauges.

#include "core/common/status.h"
#include "core/monitor/live_drift.h"
#include "core/serve/metrics_text.h"
#include "core/serve/prediction_hook.h"
#include "core/serve/serving_metrics.h"

#include <QString>

#include <functional>
#include <memory>

namespace orrery::monitor {

struct LiveMonitorOptions {
    qint64 windowMs = 60'000;   // clock time
    qint64 accuracySpanMs = 3'600'000; // the rolling span of the accuracy gauges (prediction time)
    LiveDriftOptions drift;
    int retentionDays = 30;
    int tickMs = 200;        // how often (real ms; less for windows under 2 real s) the ticker looks for windows to close and new endpoints
    bool ownTicker = true;   // false: the caller calls tick() (tests, with a manual clock)
};

class LiveMonitor : public serve::PredictionHook, public serve::MetricsSource {
public:
    // The served versions' counters of an endpoint (for requests, errors and latency per window).
    using CountersSource = std::function<std::vector<std::shared_ptr<const serve::ServingMetrics>>(const QString &endpoint)>;
    using NowMs = std::function<qint64()>; // default: common::Clock::system()

    // `next`: the hook every record is handed to first (the prediction log; may be null).
    static Result<std::shared_ptr<LiveMonitor>> open(const QString &databasePath, LiveMonitorOptions options,
                                                     std::shared_ptr<serve::PredictionHook> next = nullptr,
                                                     CountersSource counters = {}, NowMs now = {});
    ~LiveMonitor() override;

    void record(const serve::PredictionRecord &record) override;
    void appendMetrics(QByteArray &out) const override;

    // Loads new endpoints and closes every window whose end has passed; returns how many closed.
    int tick();
    // Closes every endpoint's window now, whatever its time (a clean stop, tests).
    int closeAll();
    // Stops the ticker and writes the windows in progress (a clean stop: nothing is lost). Call it
    // before the CountersSource's owner goes; the destructor only stops the ticker.
    void stop();

private:
    LiveMonitor() = default;
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::monitor
