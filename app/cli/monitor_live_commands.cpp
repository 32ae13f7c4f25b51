// orrery-cli monitor status [ENDPOINT] [--recent N] [--json]
//   An endpoint's last closed live window: requests, latency, the reference, and per feature the
//   test, statistic, adjusted p-value, effect against its threshold, alarm and data quality.
//   Exit 0: no feature in alarm; 1: some feature in alarm; 2: an error (no windows yet says why).
// orrery-cli monitor profile NAME --version V --data CSV [--scores CSV] [--score-column p_1]
//   Makes (or replaces) a registered version's reference profile from rows like its training data.
// orrery-cli monitor reference ENDPOINT model | window FROM TO | rolling DURATION
//   What an endpoint's live windows are compared with (the serving process reads it every window).

#include "app/cli/monitor_command.h"

#include "core/common/clock.h"
#include "core/deploy/deployment.h"
#include "core/monitor/monitor_status.h"
#include "core/monitor/monitor_window_store.h"
#include "core/monitor/reference_profile.h"
#include "core/registry/model_registry.h"
#include "core/workspace/workspace.h"

#include <QDateTime>
#include <QJsonArray>

namespace orrery::cli {

namespace {

QString number(const std::optional<double> &v, int digits = 3)
{
    if (!v)
        return QStringLiteral("-");
    if (*v != 0 && std::abs(*v) < 1e-4)
        return QString::number(*v, 'e', 1);
    return QString::number(*v, 'g', digits);
}

QString percent(double share)
{
    return share == 0 ? QStringLiteral("-") : QString::number(100 * share, 'f', 1) + QLatin1Char('%');
}

QString hhmmss(qint64 ms)
{
    return QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

} // namespace

int monitorStatus(const Context &context)
{
    CommandParser p(context, QStringLiteral("monitor status"),
                    QStringLiteral("The live drift windows of the serving process: for each endpoint (or ENDPOINT) its last closed\n"
                                   "window and each feature's test, statistic, effect against its threshold, alarm and data quality.\n"
                                   "Exit 1 when a feature is in alarm."));
    p.parser().addPositionalArgument(QStringLiteral("ENDPOINT"), QStringLiteral("Only this endpoint."), QStringLiteral("[ENDPOINT]"));
    p.parser().addOption({QStringLiteral("recent"), QStringLiteral("How many recent windows the alarm counts cover (default 10)."), QStringLiteral("N"), QStringLiteral("10")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (p.positional().size() > 1)
        return p.usageError(QStringLiteral("give at most one endpoint"));
    bool ok = false;
    const int recent = p.value(QStringLiteral("recent")).toInt(&ok);
    if (!ok || recent < 1)
        return p.usageError(QStringLiteral("--recent needs a whole number from 1"));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const QString only = p.positional().value(0);
    auto status = monitor::readMonitorStatus((*ws)->database(), only, recent);
    if (!status)
        return fail(status.status());
    if (status->empty())
        return fail(only.isEmpty() ? QStringLiteral("no live windows yet: start the serving process (orrery-cli serve), send traffic "
                                                    "(e.g. orrery-cli demo replay --endpoint fraud), and wait one window (60 s by default)")
                                   : QStringLiteral("no live windows for endpoint '%1' yet (is it deployed and served? orrery-cli deploy status)").arg(only));
    bool alarm = false;
    for (const auto &e : *status)
        alarm = alarm || !e.alarmed().isEmpty();
    if (p.json()) {
        QJsonArray list;
        for (const auto &e : *status)
            list.append(e.toJson());
        printJson(QJsonObject{{QStringLiteral("endpoints"), list}, {QStringLiteral("drift"), alarm}});
        return alarm ? ExitProblem : ExitOk;
    }
    for (const auto &e : *status) {
        const double seconds = double(e.endMs - e.startMs) / 1000.0;
        out(QStringLiteral("endpoint %1 — window %2 … %3 UTC, compared with %4").arg(e.endpoint, hhmmss(e.startMs), hhmmss(e.endMs).mid(11), e.reference));
        out(QStringLiteral("  %1 requests (%2/s), %3 rows profiled, latency p50 %4 ms, p99 %5 ms")
                .arg(e.requests).arg(seconds > 0 ? QString::number(double(e.requests) / seconds, 'f', 1) : QStringLiteral("-"))
                .arg(e.rows).arg(number(e.latencyP50Ms), number(e.latencyP99Ms)));
        if (e.features.empty()) {
            out(QStringLiteral("  no drift figures: %1").arg(e.reference));
            continue;
        }
        out(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9")
                .arg(QStringLiteral("feature"), -22).arg(QStringLiteral("test"), -13).arg(QStringLiteral("statistic"), 10)
                .arg(QStringLiteral("p (adj.)"), 9).arg(QStringLiteral("effect/threshold"), 17).arg(QStringLiteral("state"), -14)
                .arg(QStringLiteral("missing"), 8).arg(QStringLiteral("out of range"), 13).arg(QStringLiteral("unseen"), 7));
        for (const auto &f : e.features) {
            const QString state = f.alarm ? QStringLiteral("DRIFT (%1/%2)").arg(f.recentAlarms).arg(e.recentWindows)
                                          : f.status == QLatin1String("drift") || f.status == QLatin1String("no_drift") ? QStringLiteral("ok") : f.status;
            out(QStringLiteral("  %1 %2 %3 %4 %5 %6 %7 %8 %9")
                    .arg(f.name, -22).arg(f.test, -13).arg(number(f.statistic), 10).arg(number(f.pValue, 2), 9)
                    .arg(QStringLiteral("%1/%2").arg(number(f.effect), number(f.effectThreshold)), 17).arg(state, -14)
                    .arg(percent(f.missingShare), 8).arg(percent(f.outOfRangeShare), 13).arg(percent(f.unseenShare), 7));
        }
        for (const monitor::AccuracyFigures &a : e.accuracy) {
            auto f = [](double v) { return std::isfinite(v) ? QString::number(v, 'f', 3) : QStringLiteral("-"); };
            out(a.classifier ? QStringLiteral("  v%1 from %2 delayed labels (last hour): accuracy %3, precision %4, recall %5, F1 %6, ROC-AUC %7")
                                   .arg(a.version).arg(a.labels).arg(f(a.accuracy), f(a.precision), f(a.recall), f(a.f1), f(a.rocAuc))
                             : QStringLiteral("  v%1 from %2 delayed labels (last hour): MAE %3, RMSE %4").arg(a.version).arg(a.labels).arg(f(a.mae), f(a.rmse)));
        }
        const QStringList drifting = e.alarmed();
        out(drifting.isEmpty() ? QStringLiteral("  no feature in drift") : QStringLiteral("  in drift: %1").arg(drifting.join(QStringLiteral(", "))));
    }
    return alarm ? ExitProblem : ExitOk;
}

int monitorProfile(const Context &context)
{
    CommandParser p(context, QStringLiteral("monitor profile"),
                    QStringLiteral("Make a registered version's reference profile for live monitoring from rows like its training\n"
                                   "data (held-out rows are best) and, with --scores, the model's scores of them. The register stage\n"
                                   "does this itself when it has --holdout and --scores."));
    p.parser().addPositionalArgument(QStringLiteral("NAME"), QStringLiteral("The registered model."));
    p.parser().addOption({QStringLiteral("version"), QStringLiteral("The version."), QStringLiteral("V")});
    p.parser().addOption({QStringLiteral("data"), QStringLiteral("The rows (CSV with the signature's columns)."), QStringLiteral("CSV")});
    p.parser().addOption({QStringLiteral("scores"), QStringLiteral("The model's scores of those rows (orrery-cli predict's output)."), QStringLiteral("CSV")});
    p.parser().addOption({QStringLiteral("score-column"), QStringLiteral("The score column of --scores (default p_1)."), QStringLiteral("COL"), QStringLiteral("p_1")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (p.positional().size() != 1 || !p.isSet(QStringLiteral("version")) || !p.isSet(QStringLiteral("data")))
        return p.usageError(QStringLiteral("give NAME, --version V and --data CSV: monitor profile fraud --version 1 --data work/test.csv --scores work/scores.csv"));
    bool ok = false;
    const int version = p.value(QStringLiteral("version")).remove(QLatin1Char('v')).toInt(&ok);
    if (!ok || version < 1)
        return p.usageError(QStringLiteral("--version needs a version number (e.g. 3)"));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    registry::ModelRegistry registry((*ws)->database());
    const QString name = p.positional().first();
    auto v = registry.version(name, version);
    if (!v)
        return fail(v.status());
    QStringList columns;
    for (const QJsonValue &input : v->signature.value(QStringLiteral("inputs")).toArray())
        for (const QJsonValue &c : input.toObject().value(QStringLiteral("columns")).toArray())
            columns << c.toString();
    if (columns.isEmpty())
        return fail(QStringLiteral("%1 v%2 has no signature with input columns, so its traffic cannot be mapped to features").arg(name).arg(version));
    auto profile = monitor::profileReference(p.value(QStringLiteral("data")), columns, p.value(QStringLiteral("scores")), p.value(QStringLiteral("score-column")));
    if (!profile)
        return fail(profile.status());
    if (Status s = registry.setReferenceProfile(name, version, profile->toJson()); !s)
        return fail(s);
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("version"), version}, {QStringLiteral("rows"), double(profile->rows)},
                              {QStringLiteral("features"), int(profile->features.size())}});
        return ExitOk;
    }
    out(QStringLiteral("%1 v%2: reference profile of %3 features%4 from %5 rows of %6")
            .arg(name).arg(version).arg(columns.size()).arg(p.isSet(QStringLiteral("scores")) ? QStringLiteral(" and the prediction") : QString())
            .arg(profile->rows).arg(p.value(QStringLiteral("data"))));
    return ExitOk;
}

int monitorReference(const Context &context)
{
    CommandParser p(context, QStringLiteral("monitor reference"),
                    QStringLiteral("Choose what ENDPOINT's live windows are compared with: `model` (the served version's reference\n"
                                   "profile, the default), `window FROM TO` (a fixed past period of its own traffic, ISO times), or\n"
                                   "`rolling DURATION` (the DURATION of traffic before each window, e.g. 1d)."));
    p.parser().addPositionalArgument(QStringLiteral("ENDPOINT"), QStringLiteral("The endpoint."));
    p.parser().addPositionalArgument(QStringLiteral("CHOICE"), QStringLiteral("model | window FROM TO | rolling DURATION"));
    int code = 0;
    if (!p.parse(&code))
        return code;
    const QStringList a = p.positional();
    if (a.size() < 2)
        return p.usageError(QStringLiteral("give ENDPOINT and model, window FROM TO, or rolling DURATION"));
    monitor::ReferenceChoice choice;
    if (a[1] == QLatin1String("model") && a.size() == 2) {
        choice.kind = monitor::ReferenceChoice::Kind::Model;
    } else if (a[1] == QLatin1String("window") && a.size() == 4) {
        const QDateTime from = QDateTime::fromString(a[2], Qt::ISODate), to = QDateTime::fromString(a[3], Qt::ISODate);
        if (!from.isValid() || !to.isValid() || !(from < to))
            return p.usageError(QStringLiteral("window FROM TO: two ISO times, FROM before TO (e.g. 2026-12-01T00:00Z 2026-12-02T00:00Z)"));
        choice.kind = monitor::ReferenceChoice::Kind::Window;
        choice.fromMs = from.toMSecsSinceEpoch();
        choice.toMs = to.toMSecsSinceEpoch();
    } else if (a[1] == QLatin1String("rolling") && a.size() == 3) {
        auto span = deploy::parseDurationMs(a[2]);
        if (!span || *span < 60'000)
            return p.usageError(QStringLiteral("rolling DURATION: at least 1m (e.g. 1h, 1d)"));
        choice.kind = monitor::ReferenceChoice::Kind::Rolling;
        choice.spanMs = *span;
    } else {
        return p.usageError(QStringLiteral("'%1': give model, window FROM TO, or rolling DURATION").arg(a.mid(1).join(QLatin1Char(' '))));
    }
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const QString databasePath = (*ws)->databasePath();
    auto store = monitor::MonitorWindowStore::open(databasePath);
    if (!store)
        return fail(store.status());
    if (Status s = (*store)->setReferenceChoice(a[0], choice, common::Clock::system().nowMs()); !s)
        return fail(s);
    recordAudit(**ws, QStringLiteral("monitor.reference"), a[0], QJsonObject{{QStringLiteral("reference"), choice.describe()}});
    out(QStringLiteral("endpoint %1: live windows are compared with %2 from the next window on").arg(a[0], choice.describe()));
    return ExitOk;
}

} // namespace orrery::cli
