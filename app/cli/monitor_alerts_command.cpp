// orrery-cli monitor alerts [--all] [--json]               the active alerts (with --all the resolved ones too)
// orrery-cli monitor alerts check [FILE] [--json]          alerts.yaml checked whole; exit 2 with every error
// orrery-cli monitor alerts ack ID [--by NAME] [--json]    who has seen an active alert
// orrery-cli monitor alerts silence ID --for DURATION [--by NAME] [--comment TEXT] [--json]
//                                                           its notifications off until then — here (webhooks)
//                                                           and in Alertmanager when alerts.yaml names one
// The serving process (orrery-cli serve --workspace) evaluates the rules and records the alerts;
// these commands read and annotate what it recorded.
#include "app/cli/monitor_alerts_command.h"

#include "core/common/clock.h"
#include "core/common/duration.h"
#include "core/common/system_info.h"
#include "core/monitor/alert_rules.h"
#include "core/monitor/alert_store.h"
#include "core/monitor/alert_template.h"
#include "core/monitor/alertmanager_client.h"
#include "core/workspace/workspace.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>

#include <cmath>
#include <cstdio>

namespace orrery::cli {

namespace {

const QString kUsage = QStringLiteral(
    "The alert rules of alerts.yaml (or the defaults) and the alerts the serving process recorded.\n"
    "  monitor alerts [--all]                   active alerts (pending, firing); --all: the resolved ones too\n"
    "  monitor alerts check [FILE]              check alerts.yaml (default: the workspace's) and show its rules;\n"
    "                                           exit 2 with every error (file:line:column)\n"
    "  monitor alerts ack ID [--by NAME]        acknowledge an active alert (default: your user name)\n"
    "  monitor alerts silence ID --for DURATION [--by NAME] [--comment TEXT]\n"
    "                                           no webhook for it (nor for its labels firing again) until then;\n"
    "                                           also a silence in Alertmanager when alerts.yaml names one");

QString iso(qint64 ms) { return ms > 0 ? common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)) : QString(); }
QJsonValue isoOrNull(qint64 ms) { return ms > 0 ? QJsonValue(iso(ms)) : QJsonValue(); }

QJsonObject mapJson(const QMap<QString, QString> &m)
{
    QJsonObject o;
    for (auto it = m.cbegin(); it != m.cend(); ++it)
        o.insert(it.key(), it.value());
    return o;
}

QJsonObject alertJson(const monitor::AlertRecord &a)
{
    return {{QStringLiteral("id"), double(a.id)},
            {QStringLiteral("rule"), a.rule},
            {QStringLiteral("state"), a.state},
            {QStringLiteral("labels"), mapJson(a.labels)},
            {QStringLiteral("annotations"), mapJson(a.annotations)},
            {QStringLiteral("value"), std::isfinite(a.value) ? QJsonValue(a.value) : QJsonValue(QString::number(a.value))},
            {QStringLiteral("fingerprint"), a.fingerprint},
            {QStringLiteral("active_since"), isoOrNull(a.activeSince)},
            {QStringLiteral("fired_at"), isoOrNull(a.firedAt)},
            {QStringLiteral("resolved_at"), isoOrNull(a.resolvedAt)},
            {QStringLiteral("last_evaluated"), isoOrNull(a.lastEvaluated)},
            {QStringLiteral("acknowledged_by"), a.acknowledgedBy.isEmpty() ? QJsonValue() : QJsonValue(a.acknowledgedBy)},
            {QStringLiteral("acknowledged_at"), isoOrNull(a.acknowledgedAt)},
            {QStringLiteral("silenced_until"), isoOrNull(a.silencedUntil)}};
}

QJsonObject ruleJson(const monitor::AlertRule &r)
{
    return {{QStringLiteral("alert"), r.name},
            {QStringLiteral("expr"), r.expression()},
            {QStringLiteral("for"), common::durationText(r.forMs)},
            {QStringLiteral("keep_firing_for"), common::durationText(r.keepFiringForMs)},
            {QStringLiteral("severity"), r.severity},
            {QStringLiteral("summary"), r.summary},
            {QStringLiteral("description"), r.description}};
}

Result<qint64> parseId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0)
        return invalidArgument(QStringLiteral("'%1' is no alert id; give the number `orrery-cli monitor alerts --all` shows").arg(text));
    return id;
}

int list(CommandParser &p, workspace::Workspace &ws)
{
    monitor::AlertStore store(ws.database());
    auto alerts = store.list(p.isSet(QStringLiteral("all")), 500);
    if (!alerts)
        return fail(alerts.status());
    if (p.json()) {
        QJsonArray array;
        for (const auto &a : *alerts)
            array.append(alertJson(a));
        printJson(QJsonObject{{QStringLiteral("alerts"), array}});
        return ExitOk;
    }
    if (alerts->isEmpty()) {
        out(p.isSet(QStringLiteral("all")) ? QStringLiteral("No alerts recorded yet (the serving process evaluates alerts.yaml: orrery-cli serve).")
                                           : QStringLiteral("No active alerts (--all shows the resolved ones)."));
        return ExitOk;
    }
    out(QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("ID"), 5).arg(QStringLiteral("STATE"), -8).arg(QStringLiteral("SINCE"), -24).arg(QStringLiteral("VALUE"), -10).arg(QStringLiteral("ALERT")));
    for (const auto &a : *alerts) {
        const qint64 since = a.state == QLatin1String("resolved") ? a.resolvedAt : a.state == QLatin1String("firing") ? a.firedAt : a.activeSince;
        out(QStringLiteral("%1  %2  %3  %4  %5").arg(a.id, 5).arg(a.state, -8).arg(iso(since), -24).arg(monitor::goFloatText(a.value), -10).arg(a.title()));
        const QString summary = a.annotations.value(QStringLiteral("summary"));
        if (!summary.isEmpty())
            out(QStringLiteral("       %1").arg(summary));
        QStringList notes;
        if (!a.acknowledgedBy.isEmpty())
            notes << QStringLiteral("acknowledged by %1 at %2").arg(a.acknowledgedBy, iso(a.acknowledgedAt));
        if (a.silencedAt(common::Clock::system().nowMs()))
            notes << QStringLiteral("silenced until %1").arg(iso(a.silencedUntil));
        if (!notes.isEmpty())
            out(QStringLiteral("       (%1)").arg(notes.join(QStringLiteral("; "))));
    }
    return ExitOk;
}

int check(CommandParser &p, const Context &context)
{
    if (p.positional().size() > 1)
        return p.usageError(QStringLiteral("give at most one file: `monitor alerts check [FILE]`"));
    QString path;
    bool given = p.positional().size() == 1;
    if (given) {
        path = QDir::current().absoluteFilePath(p.positional().first());
        if (!QFile::exists(path))
            return fail(QStringLiteral("%1 does not exist; give the path of an alerts.yaml").arg(path));
    } else {
        auto ws = openWorkspace(context);
        if (!ws)
            return fail(ws.status());
        path = (*ws)->root() + QLatin1Char('/') + monitor::kAlertsFileName;
    }
    monitor::AlertConfig config;
    if (QFile::exists(path)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
        const monitor::AlertConfigCheck checked = monitor::checkAlertConfig(file.readAll(), given ? p.positional().first() : path);
        if (!checked.errors.isEmpty()) {
            if (p.json()) {
                printJson(QJsonObject{{QStringLiteral("file"), path}, {QStringLiteral("ok"), false}, {QStringLiteral("errors"), QJsonArray::fromStringList(checked.errors)}});
            } else {
                for (const QString &e : checked.errors)
                    std::fprintf(stderr, "%s\n", qPrintable(e));
                std::fprintf(stderr, "orrery-cli: %lld problem%s in %s (a running server keeps the rules it read before until the file is fixed)\n",
                             static_cast<long long>(checked.errors.size()), checked.errors.size() == 1 ? "" : "s", qPrintable(path));
            }
            return ExitError;
        }
        config = checked.config;
    } else {
        config = monitor::defaultAlertConfig();
    }
    if (p.json()) {
        QJsonArray rules;
        for (const auto &r : config.rules)
            rules.append(ruleJson(r));
        printJson(QJsonObject{{QStringLiteral("file"), config.source.isEmpty() ? QJsonValue() : QJsonValue(path)},
                              {QStringLiteral("ok"), true},
                              {QStringLiteral("default_rules"), config.defaultRules},
                              {QStringLiteral("alertmanager"), config.alertmanager.isEmpty() ? QJsonValue() : QJsonValue(config.alertmanager)},
                              {QStringLiteral("evaluate_every"), common::durationText(config.evaluateEveryMs)},
                              {QStringLiteral("rules"), rules}});
        return ExitOk;
    }
    if (config.source.isEmpty())
        out(QStringLiteral("No %1: the default rules apply, evaluated every %2.").arg(path, common::durationText(config.evaluateEveryMs)));
    else
        out(QStringLiteral("%1: ok, %2 rule%3%4, evaluated every %5, %6.")
                .arg(path).arg(config.rules.size()).arg(config.rules.size() == 1 ? QString() : QStringLiteral("s"))
                .arg(config.defaultRules ? QStringLiteral(" (the defaults)") : QString(), common::durationText(config.evaluateEveryMs),
                     config.alertmanager.isEmpty() ? QStringLiteral("no Alertmanager") : QStringLiteral("Alertmanager at %1").arg(config.alertmanager)));
    for (const auto &r : config.rules) {
        QString line = QStringLiteral("  %1: %2").arg(r.name, r.expression());
        if (r.forMs)
            line += QStringLiteral(" for %1").arg(common::durationText(r.forMs));
        if (r.keepFiringForMs)
            line += QStringLiteral(", keep firing %1").arg(common::durationText(r.keepFiringForMs));
        out(line + QStringLiteral(" [%1]").arg(r.severity));
    }
    return ExitOk;
}

int acknowledge(CommandParser &p, workspace::Workspace &ws)
{
    if (p.positional().size() != 1)
        return p.usageError(QStringLiteral("give the alert's id: `monitor alerts ack ID [--by NAME]`"));
    auto id = parseId(p.positional().first());
    if (!id)
        return p.usageError(id.status().message());
    const QString by = p.isSet(QStringLiteral("by")) ? p.value(QStringLiteral("by")).trimmed() : common::osUserName();
    if (by.isEmpty())
        return p.usageError(QStringLiteral("--by is empty; give who acknowledges"));
    monitor::AlertStore store(ws.database());
    auto acked = store.acknowledge(*id, by);
    if (!acked)
        return fail(acked.status());
    if (p.json())
        printJson(QJsonObject{{QStringLiteral("alert"), alertJson(*acked)}});
    else
        out(QStringLiteral("Alert %1 %2 acknowledged by %3.").arg(acked->id).arg(acked->title(), by));
    return ExitOk;
}

int silence(CommandParser &p, workspace::Workspace &ws)
{
    if (p.positional().size() != 1 || !p.isSet(QStringLiteral("for")))
        return p.usageError(QStringLiteral("give the alert's id and how long: `monitor alerts silence ID --for 2h`"));
    auto id = parseId(p.positional().first());
    if (!id)
        return p.usageError(id.status().message());
    auto duration = common::parseDurationMs(p.value(QStringLiteral("for")), 365LL * 86'400'000);
    if (!duration || *duration <= 0)
        return p.usageError(QStringLiteral("--for: %1").arg(duration ? QStringLiteral("give a duration above zero, such as 2h") : duration.status().message()));
    const QString by = p.isSet(QStringLiteral("by")) ? p.value(QStringLiteral("by")).trimmed() : common::osUserName();
    // alerts.yaml first: a file that does not read changes nothing (and says where it is wrong).
    auto config = monitor::loadAlertConfig(ws.root() + QLatin1Char('/') + monitor::kAlertsFileName);
    if (!config)
        return fail(config.status());
    monitor::AlertStore store(ws.database());
    const qint64 now = common::Clock::system().nowMs(); // the alerts' clock (core/common/clock.h)
    auto silenced = store.silence(*id, now + *duration, by);
    if (!silenced)
        return fail(silenced.status());
    QJsonValue alertmanagerSilence;
    QString alertmanagerProblem;
    if (!config->alertmanager.isEmpty()) {
        monitor::AlertmanagerClient client(config->alertmanager);
        const QString comment = p.isSet(QStringLiteral("comment")) ? p.value(QStringLiteral("comment"))
                                                                   : QStringLiteral("orrery-cli monitor alerts silence %1 --for %2").arg(*id).arg(p.value(QStringLiteral("for")));
        auto created = client.createSilence(silenced->labels, now, now + *duration, by.isEmpty() ? QStringLiteral("orrery") : by, comment);
        if (created)
            alertmanagerSilence = *created;
        else
            alertmanagerProblem = created.status().message();
    }
    if (p.json())
        printJson(QJsonObject{{QStringLiteral("alert"), alertJson(*silenced)},
                              {QStringLiteral("alertmanager_silence"), alertmanagerSilence},
                              {QStringLiteral("alertmanager_error"), alertmanagerProblem.isEmpty() ? QJsonValue() : QJsonValue(alertmanagerProblem)}});
    else
        out(QStringLiteral("Alert %1 %2 silenced until %3%4.")
                .arg(silenced->id).arg(silenced->title(), iso(silenced->silencedUntil),
                     alertmanagerSilence.isString() ? QStringLiteral(" (Alertmanager silence %1)").arg(alertmanagerSilence.toString()) : QString()));
    if (!alertmanagerProblem.isEmpty())
        return fail(QStringLiteral("silenced here, but not in Alertmanager: %1; run the command again once it answers").arg(alertmanagerProblem));
    return ExitOk;
}

} // namespace

int runMonitorAlerts(const Context &context)
{
    static const QStringList subcommands = {QStringLiteral("check"), QStringLiteral("ack"), QStringLiteral("silence")};
    const QString sub = subcommands.contains(context.args.value(0)) ? context.args.value(0) : QString();
    Context rest = context;
    if (!sub.isEmpty())
        rest.args.removeFirst();
    CommandParser p(rest, sub.isEmpty() ? QStringLiteral("monitor alerts") : QStringLiteral("monitor alerts ") + sub, kUsage);
    p.addJsonOption();
    if (sub.isEmpty()) {
        p.parser().addOption({QStringLiteral("all"), QStringLiteral("The resolved alerts too (newest first).")});
    } else if (sub == QLatin1String("check")) {
        p.parser().addPositionalArgument(QStringLiteral("FILE"), QStringLiteral("The rules file (default: the workspace's alerts.yaml)."));
    } else {
        p.parser().addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The alert's id (monitor alerts --all)."));
        p.parser().addOption({QStringLiteral("by"), QStringLiteral("Who does it (default: your user name)."), QStringLiteral("NAME")});
        if (sub == QLatin1String("silence")) {
            p.parser().addOption({QStringLiteral("for"), QStringLiteral("How long: 30m, 2h, 7d."), QStringLiteral("DURATION")});
            p.parser().addOption({QStringLiteral("comment"), QStringLiteral("Why (Alertmanager's silence comment)."), QStringLiteral("TEXT")});
        }
    }
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    if (sub == QLatin1String("check"))
        return check(p, context);
    if (sub.isEmpty() && !p.positional().isEmpty())
        return p.usageError(QStringLiteral("unknown subcommand '%1': expected check, ack or silence (or none, to list the alerts)").arg(p.positional().first()));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    if (sub.isEmpty())
        return list(p, **ws);
    if (sub == QLatin1String("ack"))
        return acknowledge(p, **ws);
    return silence(p, **ws);
}

} // namespace orrery::cli
