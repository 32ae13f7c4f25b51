#pragma once
// AlertEngine: alert rules at work in the serving process (`orrery-serve --workspace`). Every
// `evaluate_every` (alerts.yaml, default 5 s, of the clock's time: a compressed clock, core/common/
// clock.h, evaluates as often in its own time) on a thread of its own it
//   1. re-reads alerts.yaml when its modification time or size changed (a bad file is reported on
//      stderr, each distinct problem once, and the last good rules stay; a removed file brings the
//      default rules back);
//   2. takes the server's /metrics text from a callback and reads it (metrics_samples.h; a text
//      that does not parse skips the evaluation, it never resolves alerts);
//   3. advances the alerts (alert_evaluator.h) and records what changed (alert_store.h: the rows,
//      the audit entries and the alert.firing / alert.resolved webhook rows, in one transaction);
//   4. sends those webhook deliveries once, now (registry::deliverPendingNow; retries belong to
//      the webhook lease holder, as for every webhook), and tells Alertmanager when alerts.yaml
//      names one (alertmanager_client.h: firing alerts every evaluation, resolved ones until
//      Alertmanager took them, for at most 15 minutes).
// It is also a serve::MetricsSource: /metrics gets
//   orrery_alerts{alertname, alertstate="pending"|"firing", <the alert's labels>} 1
// for each active alert, like Prometheus' ALERTS series.
//
// At the first evaluation it takes up the alerts the database has as pending or firing, so a
// restarted server continues them: no second alert.firing webhook for an alert that was firing.
// (Only keep_firing_for's clock restarts: the time the condition cleared is not stored.)
//
// Threads: start() runs the evaluations on a QThread (postAll needs an event loop there) with its
// own database connection; stop() ends the current one (at most the HTTP timeouts) and joins.
// Without start(), evaluateOnce() runs one evaluation on the calling thread — for tests with a
// ManualClock; the first call opens the connection, later calls must come from that thread.
// appendMetrics() and active() may be called from any thread (a mutex guards the published alerts).

#include "core/monitor/alert_evaluator.h"
#include "core/serve/metrics_text.h"

#include <QByteArray>
#include <QString>

#include <functional>
#include <memory>

namespace orrery::common {
class Clock;
}

namespace orrery::monitor {

struct AlertEngineOptions {
    QString databasePath;                   // ROOT/.orrery/orrery.db
    QString rulesPath;                      // ROOT/alerts.yaml (absent: the default rules)
    const common::Clock *clock = nullptr;   // null: the system clock
    QString generatorUrl;                   // sent to Alertmanager; empty: the rules file's file:// URL
    int httpTimeoutMs = 5000;               // webhooks' and Alertmanager's deadline, each, per evaluation
    QString actor = QStringLiteral("orrery-serve"); // who the audit entries name
    // Where problems go (default: stderr, "orrery-serve: alerts: …"); each distinct message once in a row.
    std::function<void(const QString &)> report;
};

class AlertEngine : public serve::MetricsSource {
public:
    using MetricsText = std::function<QByteArray()>;
    AlertEngine(AlertEngineOptions options, MetricsText metrics);
    ~AlertEngine() override; // stop()

    void start();
    void stop();
    // One evaluation now, on the calling thread (see Threads). An error when the database cannot
    // be opened or written; rule and scrape problems are reported, not returned.
    Status evaluateOnce();

    void appendMetrics(QByteArray &out) const override;
    QVector<Alert> active() const;           // after the last evaluation
    QVector<AlertRule> rules() const;        // the rules in force
    QString rulesSource() const;             // the file they came from; empty: the defaults

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace orrery::monitor
