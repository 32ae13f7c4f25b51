#include "core/monitor/alert_engine.h"

#include "core/common/clock.h"
#include "core/monitor/alert_rules.h"
#include "core/monitor/alert_store.h"
#include "core/monitor/alertmanager_client.h"
#include "core/monitor/metrics_samples.h"
#include "core/registry/webhook_dispatcher.h"
#include "core/store/database.h"

#include <QDateTime>
#include <QFileInfo>
#include <QThread>
#include <QUrl>

#include <algorithm>
#include <condition_variable>
#include <cstdio>
#include <mutex>
#include <optional>

namespace orrery::monitor {

namespace {

// Prometheus keeps sending a resolved alert for 15 minutes (rules/alerting.go, resolvedRetention);
// here it is sent until Alertmanager took it once, within that time.
constexpr qint64 kResolvedRetentionMs = 15 * 60'000;

struct FileStamp {
    bool exists = false;
    qint64 modified = 0;
    qint64 size = 0;
    bool operator==(const FileStamp &o) const { return exists == o.exists && modified == o.modified && size == o.size; }
};

FileStamp stampOf(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists())
        return {};
    return {true, info.lastModified().toMSecsSinceEpoch(), info.size()};
}

} // namespace

struct AlertEngine::Impl {
    AlertEngineOptions o;
    MetricsText metrics;
    const common::Clock *clock = nullptr;

    // The evaluation thread's own (or evaluateOnce's caller's).
    std::unique_ptr<store::Database> db;
    std::unique_ptr<AlertStore> store;
    AlertEvaluator evaluator;
    bool restored = false;
    bool haveRules = false;
    std::optional<FileStamp> stamp;
    AlertConfig config;
    std::unique_ptr<AlertmanagerClient> alertmanager;
    QVector<Alert> unsentResolved; // resolved alerts Alertmanager has not taken yet
    QString lastReport;
    bool troubled = false; // report() was called during this evaluation

    // Shared with appendMetrics() and the accessors.
    mutable std::mutex published;
    QVector<Alert> active;
    QVector<AlertRule> rules;
    QString source;
    qint64 evaluateEveryMs = 5000;

    // The thread.
    QThread *thread = nullptr;
    std::mutex m;
    std::condition_variable wake;
    bool stopping = false;

    void report(const QString &message)
    {
        troubled = true;
        if (message == lastReport)
            return;
        lastReport = message;
        if (o.report) {
            o.report(message);
        } else {
            std::fprintf(stderr, "orrery-serve: alerts: %s\n", qPrintable(message));
            std::fflush(stderr);
        }
    }

    void reloadRulesIfChanged()
    {
        const FileStamp now = stampOf(o.rulesPath);
        if (stamp && *stamp == now)
            return;
        stamp = now;
        auto loaded = loadAlertConfig(o.rulesPath);
        if (!loaded) {
            report(QStringLiteral("%1; %2").arg(loaded.status().message(), haveRules ? QStringLiteral("the rules read before stay in force until it is fixed")
                                                                                     : QStringLiteral("no alert is evaluated until it is fixed")));
            return;
        }
        config = *loaded;
        haveRules = true;
        evaluator.setRules(config.rules);
        if (config.alertmanager.isEmpty())
            alertmanager.reset();
        else if (!alertmanager || alertmanager->baseUrl() != config.alertmanager)
            alertmanager = std::make_unique<AlertmanagerClient>(config.alertmanager, o.httpTimeoutMs);
        std::lock_guard lock(published);
        rules = config.rules;
        source = config.source;
        evaluateEveryMs = config.evaluateEveryMs;
    }

    Status open()
    {
        if (db)
            return Status();
        ORRERY_ASSIGN_OR_RETURN(db, store::Database::open(o.databasePath));
        store = std::make_unique<AlertStore>(*db, clock, o.actor);
        return Status();
    }

    void notifyAlertmanager(const AlertEvaluation &evaluation, qint64 now)
    {
        for (const AlertTransition &t : evaluation.transitions)
            if (t.resolved())
                unsentResolved.append(t.alert);
        unsentResolved.erase(std::remove_if(unsentResolved.begin(), unsentResolved.end(),
                                            [now](const Alert &a) { return now - a.resolvedAt > kResolvedRetentionMs; }),
                             unsentResolved.end());
        if (!alertmanager) {
            unsentResolved.clear();
            return;
        }
        QVector<Alert> firing;
        for (const Alert &a : evaluation.active)
            if (a.state == AlertState::Firing)
                firing.append(a);
        const QString generator = o.generatorUrl.isEmpty() ? QUrl::fromLocalFile(o.rulesPath).toString() : o.generatorUrl;
        const Status sent = alertmanager->postAlerts(firing, unsentResolved, now, config.evaluateEveryMs, generator);
        if (sent.isOk())
            unsentResolved.clear();
        else
            report(sent.message());
    }

    Status evaluate()
    {
        troubled = false;
        ORRERY_TRY(open());
        if (!restored) {
            ORRERY_ASSIGN_OR_RETURN(const QVector<Alert> before, store->loadActive());
            evaluator.restore(before);
            restored = true;
        }
        reloadRulesIfChanged();
        if (!haveRules)
            return Status();
        auto samples = parseMetricsText(metrics());
        if (!samples) {
            report(QStringLiteral("the server's /metrics did not parse, so this evaluation is skipped: %1").arg(samples.status().message()));
            return Status();
        }
        const qint64 now = clock->now().toMSecsSinceEpoch();
        const AlertEvaluation evaluation = evaluator.evaluate(*samples, now);
        {
            std::lock_guard lock(published);
            active = evaluation.active;
        }
        auto recorded = store->record(evaluation, now);
        if (recorded && recorded->webhooksQueued > 0)
            if (auto sent = registry::deliverPendingNow(*db, o.httpTimeoutMs); !sent)
                report(sent.status().withContext(QStringLiteral("sending the alerts' webhooks")).message());
        notifyAlertmanager(evaluation, now);
        if (!recorded)
            return recorded.status().withContext(QStringLiteral("recording the alerts' changes in %1").arg(o.databasePath));
        if (!troubled)
            lastReport.clear(); // an evaluation without a problem: the next one is news again
        return Status();
    }

    void loop()
    {
        for (;;) {
            if (const Status s = evaluate(); !s.isOk())
                report(s.message()); // and the next evaluation tries again
            qint64 waitMs;
            {
                std::lock_guard lock(published);
                waitMs = evaluateEveryMs;
            }
            // evaluate_every is clock time, like `for:` and keep_firing_for, which compare the
            // clock's readings: on a compressed clock (core/common/clock.h) the evaluations come
            // as often in clock time as alerts.yaml says.
            waitMs = std::max<qint64>(1, clock->realMs(waitMs));
            std::unique_lock lock(m);
            wake.wait_for(lock, std::chrono::milliseconds(waitMs), [this] { return stopping; });
            if (stopping)
                break;
        }
        store.reset();
        db.reset(); // the connection belongs to this thread
    }
};

AlertEngine::AlertEngine(AlertEngineOptions options, MetricsText metrics) : d(std::make_unique<Impl>())
{
    d->o = std::move(options);
    d->metrics = std::move(metrics);
    d->clock = d->o.clock ? d->o.clock : &common::Clock::system();
}

AlertEngine::~AlertEngine() { stop(); }

void AlertEngine::start()
{
    if (d->thread)
        return;
    {
        std::lock_guard lock(d->m);
        d->stopping = false;
    }
    d->thread = QThread::create([this] { d->loop(); });
    d->thread->setObjectName(QStringLiteral("alert engine"));
    d->thread->start();
}

void AlertEngine::stop()
{
    if (!d->thread)
        return;
    {
        std::lock_guard lock(d->m);
        d->stopping = true;
    }
    d->wake.notify_all();
    d->thread->wait();
    delete d->thread;
    d->thread = nullptr;
}

Status AlertEngine::evaluateOnce() { return d->evaluate(); }

void AlertEngine::appendMetrics(QByteArray &out) const
{
    QVector<Alert> alerts;
    {
        std::lock_guard lock(d->published);
        alerts = d->active;
    }
    serve::appendMetricFamily(out, "orrery_alerts", "gauge", "Alerts of the workspace's alert rules that are pending or firing (1 each), like Prometheus' ALERTS.");
    for (const Alert &a : std::as_const(alerts)) {
        out += "orrery_alerts{";
        serve::appendLabel(out, "alertname", a.rule);
        out += ',';
        serve::appendLabel(out, "alertstate", alertStateName(a.state));
        for (auto it = a.labels.cbegin(); it != a.labels.cend(); ++it) {
            if (it.key() == QLatin1String("alertname") || it.key() == QLatin1String("alertstate"))
                continue;
            out += ',';
            serve::appendLabel(out, it.key().toLatin1().constData(), it.value());
        }
        out += "} 1\n";
    }
}

QVector<Alert> AlertEngine::active() const
{
    std::lock_guard lock(d->published);
    return d->active;
}

QVector<AlertRule> AlertEngine::rules() const
{
    std::lock_guard lock(d->published);
    return d->rules;
}

QString AlertEngine::rulesSource() const
{
    std::lock_guard lock(d->published);
    return d->source;
}

} // namespace orrery::monitor
