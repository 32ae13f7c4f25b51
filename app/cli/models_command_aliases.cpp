// orrery-cli models promote | demote | alias | history | archive | card | gates
// (the dispatcher, list, show and register: models_command.cpp).
#include "app/cli/models_command.h"
#include "core/deploy/deployment_store.h"

#include "core/workspace/workspace.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTimeZone>

#include <cmath>
#include <cstdio>
#include <optional>
#include <tuple>

namespace orrery::cli {

namespace {

QString versionText(int v)
{
    return v > 0 ? QStringLiteral("v%1").arg(v) : QStringLiteral("none");
}

Status checkName(const QString &name)
{
    return registry::ModelRegistry::validateModelName(name);
}

// `NAME VERSION` as archive and card take them: the name checked, the version parsed.
Result<std::pair<QString, int>> nameAndVersion(const QStringList &args)
{
    ORRERY_TRY(checkName(args[0]));
    ORRERY_ASSIGN_OR_RETURN(int number, parseVersionNumber(args[1], QStringLiteral("VERSION")));
    return std::make_pair(args[0], number);
}

// "2026-12-04T21:00:00Z", "2026-12-04 21:00" (local), "2026-12-04 21:00Z", "…+01:00".
std::optional<QDateTime> parseTime(const QString &text)
{
    QString t = text.trimmed();
    if (t.size() > 10 && t[10] == QLatin1Char(' '))
        t[10] = QLatin1Char('T');
    QDateTime dt = QDateTime::fromString(t, Qt::ISODateWithMs);
    if (!dt.isValid())
        dt = QDateTime::fromString(t, Qt::ISODate);
    if (!dt.isValid())
        return std::nullopt;
    return dt;
}

} // namespace

int modelsPromote(ModelsCall &call)
{
    if (call.args.size() != 1)
        return call.p.usageError(QStringLiteral("expected `models promote NAME [--version N] [--reason TEXT]`"));
    const QString name = call.args.first();
    if (const Status s = checkName(name); !s)
        return failModels(s);
    auto model = call.registry.model(name);
    if (!model)
        return failModels(model.status(), QStringLiteral("see the registered models with `orrery-cli models list`"));
    const int before = model->aliasVersion(QStringLiteral("champion"));
    int number = 0;
    if (call.p.isSet(QStringLiteral("version"))) {
        auto n = parseVersionNumber(call.p.value(QStringLiteral("version")), QStringLiteral("--version"));
        if (!n)
            return failModels(n.status());
        number = *n;
    } else {
        number = model->aliasVersion(QStringLiteral("challenger"));
        if (number == 0)
            return fail(QStringLiteral("model '%1' has no challenger to promote; name a version with --version N (see `orrery-cli models show %1`)").arg(name));
    }
    auto blocker = call.registry.promotionBlocker(name, number);
    if (!blocker)
        return failModels(blocker.status(), QStringLiteral("see the versions with `orrery-cli models show %1`").arg(name));
    if (!blocker->isEmpty()) {
        const QString message = QStringLiteral("cannot promote %1 v%2: %3").arg(name).arg(number).arg(*blocker);
        if (call.p.json())
            printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("version"), number}, {QStringLiteral("promoted"), false},
                                  {QStringLiteral("blocker"), *blocker}, {QStringLiteral("champion"), before ? QJsonValue(before) : QJsonValue()}});
        std::fprintf(stderr, "orrery-cli: %s\n", message.toUtf8().constData());
        return ExitProblem;
    }
    // Once an endpoint serves the model, promotion starts that endpoint's rollout instead
    // (docs/architecture.md's champion table): champion moves when the rollout completes.
    deploy::DeploymentStore deployments(call.ws.database(), call.ws.cacheDir());
    auto endpoints = deployments.list();
    if (!endpoints)
        return failModels(endpoints.status());
    QJsonArray started;
    for (const auto &d : std::as_const(*endpoints)) {
        if (d.model != name || d.stableVersion == 0 || d.stableVersion == number)
            continue;
        deploy::StartRequest r;
        r.model = name;
        r.version = number;
        r.endpoint = d.endpoint;
        r.reason = call.p.value(QStringLiteral("reason"));
        auto rollout = deployments.start(r);
        if (!rollout)
            return failModels(rollout.status().withContext(QStringLiteral("promote %1 v%2 on endpoint %3").arg(name).arg(number).arg(d.endpoint)));
        started.append(d.endpoint);
        if (!call.p.json())
            out(QStringLiteral("%1 v%2: a %3 rollout started on endpoint %4 (v%5 serves on); champion moves when it completes (orrery-cli deploy status %4)")
                    .arg(name).arg(number).arg(deploy::strategyName(rollout->strategy), d.endpoint).arg(rollout->stableVersion));
    }
    if (!started.isEmpty()) {
        if (call.p.json())
            printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("version"), number}, {QStringLiteral("promoted"), false},
                                  {QStringLiteral("rollouts"), started}, {QStringLiteral("champion"), before ? QJsonValue(before) : QJsonValue()}});
        return ExitOk;
    }
    auto promoted = call.registry.promote(name, number, call.p.value(QStringLiteral("reason")));
    if (!promoted) {
        if (promoted.status().code() == ErrorCode::FailedPrecondition && promoted.status().message().startsWith(QLatin1String("cannot promote"))) {
            fail(promoted.status()); // blocked between the check and the change
            return ExitProblem;
        }
        return failModels(promoted.status());
    }
    if (call.p.json()) {
        QJsonObject o = versionJson(*promoted);
        o.insert(QStringLiteral("promoted"), true);
        o.insert(QStringLiteral("previous_champion"), before ? QJsonValue(before) : QJsonValue());
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("%1 v%2 is the champion now (was %3)").arg(name).arg(number).arg(versionText(before)));
    return ExitOk;
}

int modelsDemote(ModelsCall &call)
{
    if (call.args.size() != 1)
        return call.p.usageError(QStringLiteral("expected `models demote NAME [--reason TEXT]`"));
    const QString name = call.args.first();
    if (const Status s = checkName(name); !s)
        return failModels(s);
    auto model = call.registry.model(name);
    if (!model)
        return failModels(model.status(), QStringLiteral("see the registered models with `orrery-cli models list`"));
    const int before = model->aliasVersion(QStringLiteral("champion"));
    auto back = call.registry.demote(name, call.p.value(QStringLiteral("reason")));
    if (!back)
        return failModels(back.status());
    if (call.p.json()) {
        printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("champion"), *back ? QJsonValue(*back) : QJsonValue()},
                              {QStringLiteral("previous"), before ? QJsonValue(before) : QJsonValue()}});
        return ExitOk;
    }
    out(*back ? QStringLiteral("%1: champion back to v%2 (was v%3)").arg(name).arg(*back).arg(before)
              : QStringLiteral("%1: v%2 demoted; no earlier champion can be served, so the model has no champion now").arg(name).arg(before));
    return ExitOk;
}

int modelsAlias(ModelsCall &call)
{
    const bool remove = call.p.isSet(QStringLiteral("delete"));
    if (call.args.size() != (remove ? 2 : 3))
        return call.p.usageError(QStringLiteral("expected `models alias NAME ALIAS VERSION` or `models alias NAME ALIAS --delete`"));
    const QString name = call.args[0];
    const QString alias = call.args[1];
    if (const Status s = checkName(name); !s)
        return failModels(s);
    if (const Status s = registry::ModelRegistry::validateAlias(alias); !s)
        return failModels(s, QStringLiteral("aliases take letters, digits, '_' and '-'"));
    const QString reason = call.p.value(QStringLiteral("reason"));
    if (remove) {
        if (alias == QLatin1String("champion"))
            return fail(QStringLiteral("the champion alias moves only through promote and demote: run `orrery-cli models demote %1`").arg(name));
        if (const Status s = call.registry.deleteAlias(name, alias, reason); !s)
            return failModels(s, QStringLiteral("see the aliases with `orrery-cli models show %1`").arg(name));
        if (call.p.json())
            printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("alias"), alias}, {QStringLiteral("version"), QJsonValue()}});
        else
            out(QStringLiteral("%1@%2 removed").arg(name, alias));
        return ExitOk;
    }
    auto number = parseVersionNumber(call.args[2], QStringLiteral("VERSION"));
    if (!number)
        return failModels(number.status());
    if (alias == QLatin1String("champion"))
        return fail(QStringLiteral("the champion alias moves only through the gates: run `orrery-cli models promote %1 --version %2`").arg(name).arg(*number));
    if (const Status s = call.registry.setAlias(name, alias, *number, reason); !s) {
        if (s.code() == ErrorCode::FailedPrecondition)
            return failModels(s, QStringLiteral("bring it back with `orrery-cli models archive %1 %2 --undo`, or choose another version").arg(name).arg(*number));
        return failModels(s, QStringLiteral("see the versions with `orrery-cli models show %1`").arg(name));
    }
    if (call.p.json())
        printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("alias"), alias}, {QStringLiteral("version"), *number}});
    else
        out(QStringLiteral("%1@%2 → v%3").arg(name, alias).arg(*number));
    return ExitOk;
}

int modelsHistory(ModelsCall &call)
{
    if (call.args.size() != 1)
        return call.p.usageError(QStringLiteral("expected `models history NAME [--alias ALIAS] [--at TIME]`"));
    const QString name = call.args.first();
    if (const Status s = checkName(name); !s)
        return failModels(s);
    const QString alias = call.p.value(QStringLiteral("alias"));
    auto history = call.registry.aliasHistory(name, alias);
    if (!history)
        return failModels(history.status(), QStringLiteral("see the registered models with `orrery-cli models list`"));
    if (call.p.isSet(QStringLiteral("at"))) {
        const auto at = parseTime(call.p.value(QStringLiteral("at")));
        if (!at)
            return call.p.usageError(QStringLiteral("--at '%1' is no time; write ISO 8601 (2026-12-04T21:00:00Z) or \"2026-12-04 21:00\" (local time; Z for UTC)")
                                         .arg(call.p.value(QStringLiteral("at"))));
        QStringList aliases;
        if (!alias.isEmpty())
            aliases << alias;
        for (const auto &c : *history)
            if (!aliases.contains(c.alias))
                aliases << c.alias;
        QJsonObject held;
        QStringList lines;
        for (const QString &a : std::as_const(aliases)) {
            auto v = call.registry.aliasAt(name, a, *at);
            if (!v)
                return failModels(v.status());
            held.insert(a, *v ? QJsonValue(*v) : QJsonValue());
            lines << QStringLiteral("  @%1 → %2").arg(a, versionText(*v));
        }
        // Which versions served each endpoint then: the weights after its last change before `at`.
        auto events = deploy::DeploymentStore(call.ws.database(), call.ws.cacheDir()).events(QString(), name, 100'000);
        if (!events)
            return failModels(events.status());
        QJsonObject served;
        QStringList servedLines;
        for (const auto &e : std::as_const(*events)) { // newest first
            if (e.time > *at || served.contains(e.endpoint))
                continue;
            served.insert(e.endpoint, QJsonDocument::fromJson(e.weights.toUtf8()).object());
            servedLines << QStringLiteral("  endpoint %1 → %2 (since %3, %4)").arg(e.endpoint, e.weights, e.time.toString(Qt::ISODateWithMs), e.kind);
        }
        const QString when = at->toUTC().toString(Qt::ISODateWithMs);
        if (call.p.json()) {
            printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("at"), when}, {QStringLiteral("aliases"), held}, {QStringLiteral("endpoints"), served}});
            return ExitOk;
        }
        out(QStringLiteral("%1 at %2 (UTC)").arg(name, when));
        if (lines.isEmpty())
            out(QStringLiteral("  no alias was ever set"));
        for (const QString &l : std::as_const(lines))
            out(l);
        for (const QString &l : std::as_const(servedLines))
            out(l);
        return ExitOk;
    }
    if (call.p.json()) {
        QJsonArray array;
        for (const auto &c : *history)
            array.append(aliasChangeJson(c));
        printJson(array);
        return ExitOk;
    }
    if (history->isEmpty()) {
        out(QStringLiteral("No alias moves for %1%2.").arg(name, alias.isEmpty() ? QString() : QLatin1Char('@') + alias));
        return ExitOk;
    }
    out(QStringLiteral("%1  %2  %3  %4  %5  %6").arg(QStringLiteral("TIME (UTC)"), -23).arg(QStringLiteral("ALIAS"), -12).arg(QStringLiteral("VERSION"), -7)
            .arg(QStringLiteral("PREVIOUS"), -8).arg(QStringLiteral("WHO"), -10).arg(QStringLiteral("WHY")));
    for (const auto &c : *history)
        out(QStringLiteral("%1  %2  %3  %4  %5  %6").arg(modelsIsoTime(c.time).replace(QLatin1Char('T'), QLatin1Char(' ')).chopped(1), -23).arg(c.alias, -12)
                .arg(c.version ? QStringLiteral("v%1").arg(c.version) : QStringLiteral("(removed)"), -7)
                .arg(c.previous ? QStringLiteral("v%1").arg(c.previous) : QStringLiteral("-"), -8).arg(c.actor, -10).arg(c.reason));
    // Which version served each endpoint when (deploy's events, oldest first).
    auto events = deploy::DeploymentStore(call.ws.database(), call.ws.cacheDir()).events(QString(), name, 100'000);
    if (!events)
        return failModels(events.status());
    if (!events->isEmpty() && alias.isEmpty()) {
        out(QString());
        out(QStringLiteral("%1  %2  %3  %4").arg(QStringLiteral("TIME (UTC)"), -23).arg(QStringLiteral("ENDPOINT"), -12).arg(QStringLiteral("SERVING"), -22).arg(QStringLiteral("CHANGE")));
        for (auto it = events->crbegin(); it != events->crend(); ++it)
            out(QStringLiteral("%1  %2  %3  %4").arg(it->time.toString(QStringLiteral("yyyy-MM-dd HH:mm:ss.zzz")), -23).arg(it->endpoint, -12).arg(it->weights, -22).arg(it->kind));
    }
    return ExitOk;
}

int modelsArchive(ModelsCall &call)
{
    if (call.args.size() != 2)
        return call.p.usageError(QStringLiteral("expected `models archive NAME VERSION [--undo]`"));
    auto parsed = nameAndVersion(call.args);
    if (!parsed)
        return failModels(parsed.status());
    const auto &[name, number] = *parsed;
    const bool archive = !call.p.isSet(QStringLiteral("undo"));
    if (const Status s = call.registry.setArchived(name, number, archive, call.p.value(QStringLiteral("reason"))); !s)
        return failModels(s, QStringLiteral("see the versions with `orrery-cli models show %1`").arg(name));
    auto v = call.registry.version(name, number);
    if (!v)
        return failModels(v.status());
    if (call.p.json())
        printJson(versionJson(*v));
    else
        out(archive ? QStringLiteral("%1 v%2 archived (it holds no alias and cannot be promoted; `--undo` brings it back)").arg(name).arg(number)
                    : QStringLiteral("%1 v%2 is no longer archived").arg(name).arg(number));
    return ExitOk;
}

int modelsCard(ModelsCall &call)
{
    if (call.args.size() != 2)
        return call.p.usageError(QStringLiteral("expected `models card NAME VERSION [--set CARD.md | --print]`"));
    auto parsed = nameAndVersion(call.args);
    if (!parsed)
        return failModels(parsed.status());
    const auto &[name, number] = *parsed;
    if (call.p.isSet(QStringLiteral("set"))) {
        const QString path = call.p.value(QStringLiteral("set"));
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly))
            return fail(QStringLiteral("cannot read the card %1: %2; give a Markdown file").arg(path, file.errorString()));
        const QByteArray bytes = file.readAll();
        const QString markdown = QString::fromUtf8(bytes);
        if (markdown.toUtf8() != bytes)
            return fail(QStringLiteral("the card %1 is not UTF-8 text; save it as UTF-8 Markdown").arg(path));
        if (const Status s = call.registry.setCard(name, number, markdown); !s)
            return failModels(s, QStringLiteral("see the versions with `orrery-cli models show %1`").arg(name));
    }
    auto v = call.registry.version(name, number);
    if (!v)
        return failModels(v.status(), QStringLiteral("see the versions with `orrery-cli models show %1`").arg(name));
    if (call.p.json()) {
        printJson(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("version"), number}, {QStringLiteral("card"), v->card}});
        return ExitOk;
    }
    if (call.p.isSet(QStringLiteral("set")) && !call.p.isSet(QStringLiteral("print"))) {
        out(QStringLiteral("%1 v%2: card saved (%3 characters)").arg(name).arg(number).arg(v->card.size()));
        return ExitOk;
    }
    if (v->card.isEmpty() && !call.p.isSet(QStringLiteral("print"))) {
        out(QStringLiteral("%1 v%2 has no card; write one with `orrery-cli models card %1 %2 --set CARD.md`").arg(name).arg(number));
        return ExitOk;
    }
    std::fputs(v->card.toUtf8().constData(), stdout);
    if (!v->card.endsWith(QLatin1Char('\n')) && !v->card.isEmpty())
        std::fputc('\n', stdout);
    return ExitOk;
}

int modelsGates(ModelsCall &call)
{
    if (call.args.size() != 1)
        return call.p.usageError(QStringLiteral("expected `models gates NAME [--rules RULES] [--beats-champion METRIC --min-improvement X [--lower-is-better]] "
                                                "[--no-data-tests] [--no-signature-check]`"));
    const QString name = call.args.first();
    if (const Status s = checkName(name); !s)
        return failModels(s);
    auto gates = call.registry.gates(name);
    if (!gates)
        return failModels(gates.status(), QStringLiteral("see the registered models with `orrery-cli models list`"));
    registry::ModelGates g = *gates;
    bool changed = false;
    auto &p = call.p;
    if (p.isSet(QStringLiteral("rules"))) {
        const QString text = p.value(QStringLiteral("rules"));
        g.rules.clear();
        if (!text.trimmed().isEmpty()) {
            auto rules = registry::parseGateRules(text);
            if (!rules)
                return fail(QStringLiteral("--rules: %1; write rules such as \"roc_auc >= 0.8, recall >= 0.5\"").arg(rules.status().message()));
            g.rules = *rules;
        }
        changed = true;
    }
    if (p.isSet(QStringLiteral("beats-champion"))) {
        g.championMetric = p.value(QStringLiteral("beats-champion")).trimmed();
        g.minImprovement = 0.0;
        g.lowerIsBetter = false;
        changed = true;
    }
    if (p.isSet(QStringLiteral("min-improvement"))) {
        if (g.championMetric.isEmpty())
            return p.usageError(QStringLiteral("--min-improvement needs --beats-champion METRIC"));
        bool ok = false;
        const double x = p.value(QStringLiteral("min-improvement")).toDouble(&ok);
        if (!ok || !std::isfinite(x) || x < 0)
            return p.usageError(QStringLiteral("--min-improvement '%1': give a number >= 0, e.g. 0.01").arg(p.value(QStringLiteral("min-improvement"))));
        g.minImprovement = x;
        changed = true;
    }
    if (p.isSet(QStringLiteral("lower-is-better"))) {
        if (g.championMetric.isEmpty())
            return p.usageError(QStringLiteral("--lower-is-better needs --beats-champion METRIC"));
        g.lowerIsBetter = true;
        changed = true;
    }
    if (p.isSet(QStringLiteral("no-data-tests")) && p.isSet(QStringLiteral("data-tests")))
        return p.usageError(QStringLiteral("give --data-tests or --no-data-tests, not both"));
    if (p.isSet(QStringLiteral("no-signature-check")) && p.isSet(QStringLiteral("signature-check")))
        return p.usageError(QStringLiteral("give --signature-check or --no-signature-check, not both"));
    for (const auto &[option, value, field] : {std::tuple{QStringLiteral("no-data-tests"), false, &registry::ModelGates::requireDataTests},
                                               std::tuple{QStringLiteral("data-tests"), true, &registry::ModelGates::requireDataTests},
                                               std::tuple{QStringLiteral("no-signature-check"), false, &registry::ModelGates::requireCompatibleSignature},
                                               std::tuple{QStringLiteral("signature-check"), true, &registry::ModelGates::requireCompatibleSignature}})
        if (p.isSet(option)) {
            g.*field = value;
            changed = true;
        }
    if (changed) {
        if (const Status s = call.registry.setGates(name, g, p.value(QStringLiteral("reason"))); !s)
            return failModels(s);
    }
    if (call.p.json()) {
        QJsonObject o = g.toJson();
        o.insert(QStringLiteral("name"), name);
        o.insert(QStringLiteral("changed"), changed);
        o.insert(QStringLiteral("description"), QJsonArray::fromStringList(g.describe()));
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("%1 gates%2").arg(name, changed ? QStringLiteral(" (saved)") : QString()));
    const QStringList lines = g.describe();
    if (lines.isEmpty())
        out(QStringLiteral("  (none)"));
    for (const QString &line : lines)
        out(QStringLiteral("  ") + line);
    return ExitOk;
}

} // namespace orrery::cli
