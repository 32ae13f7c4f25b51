// orrery-cli deploy start|status|list|pause|resume|promote|abort|retry|rollback|remove — the
// endpoints' desired state (core/deploy/deployment_store.h) from a terminal. Commands change the
// desired state; the serving process (`orrery-cli serve`) applies it within about 50 ms. With no
// server running, the change is recorded and `deploy status` says it waits for one.

#include "app/cli/cli.h"

#include "core/deploy/deployment_store.h"
#include "core/deploy/server_record.h"
#include "core/registry/webhook_dispatcher.h"
#include "core/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <cstdio>

namespace orrery::cli {

namespace {

QJsonObject deploymentJson(const deploy::Deployment &d)
{
    QJsonArray steps;
    for (int s : d.steps)
        steps.append(s);
    return QJsonObject{{QStringLiteral("endpoint"), d.endpoint},
                       {QStringLiteral("model"), d.model},
                       {QStringLiteral("stable_version"), d.stableVersion},
                       {QStringLiteral("candidate_version"), d.candidateVersion},
                       {QStringLiteral("strategy"), deploy::strategyName(d.strategy)},
                       {QStringLiteral("phase"), deploy::phaseName(d.phase)},
                       {QStringLiteral("steps"), steps},
                       {QStringLiteral("step_index"), d.stepIndex},
                       {QStringLiteral("canary_weight"), d.canaryWeight},
                       {QStringLiteral("weights"), QJsonDocument::fromJson(d.weightsJson().toUtf8()).object()},
                       {QStringLiteral("pause_ms"), d.pauseMs},
                       {QStringLiteral("analysis"), d.analysis},
                       {QStringLiteral("min_requests"), d.minRequests},
                       {QStringLiteral("inconclusive"), d.inconclusive},
                       {QStringLiteral("step_started"), d.stepStarted},
                       {QStringLiteral("message"), d.message},
                       {QStringLiteral("revision"), d.revision}};
}

QString weightsText(const deploy::Deployment &d)
{
    QStringList parts;
    for (const auto &[version, weight] : d.weights())
        parts << QStringLiteral("v%1 %2 %").arg(version).arg(weight);
    if (d.rollingOut() && d.strategy == deploy::Strategy::BlueGreen)
        parts << QStringLiteral("v%1 on %2").arg(d.candidateVersion).arg(deploy::previewEndpoint(d.endpoint));
    if (d.rollingOut() && d.strategy == deploy::Strategy::Shadow)
        parts << QStringLiteral("v%1 in shadow").arg(d.candidateVersion);
    return parts.isEmpty() ? QStringLiteral("nothing") : parts.join(QStringLiteral(", "));
}

QString describe(const deploy::Deployment &d)
{
    QString line = QStringLiteral("%1: %2, %3, serving %4").arg(d.endpoint, d.model, deploy::phaseName(d.phase), weightsText(d));
    if (d.rollingOut() && d.strategy == deploy::Strategy::Canary)
        line += QStringLiteral("; canary v%1 at step %2 of %3 (%4 %), pause %5")
                    .arg(d.candidateVersion).arg(d.stepIndex + 1).arg(d.steps.size()).arg(d.canaryWeight).arg(deploy::durationText(d.pauseMs));
    else if (d.rollingOut())
        line += QStringLiteral("; %1 of v%2 waits for `deploy promote %3` or abort").arg(deploy::strategyName(d.strategy)).arg(d.candidateVersion).arg(d.endpoint);
    if (!d.message.isEmpty())
        line += QStringLiteral("\n  %1").arg(d.message);
    return line;
}

} // namespace

int runDeploy(const Context &context)
{
    CommandParser p(context, QStringLiteral("deploy"),
                    QStringLiteral(
                        "Endpoints and their rollouts: the desired state that `orrery-cli serve` applies (within ~50 ms).\n"
                        "  start MODEL (--version V | --alias A) --endpoint E [--strategy direct|blue-green|canary|shadow]\n"
                        "        [--steps 5,25,50,100] [--pause 60s] [--analysis RULES] [--min-requests N] [--max-inconclusive K]\n"
                        "        default strategy: direct for a new endpoint, canary when replacing a version\n"
                        "  status [ENDPOINT]       the endpoint(s), the server applying them, and recent events\n"
                        "  list                    every endpoint, a line each\n"
                        "  pause|resume|promote|abort|retry ENDPOINT [--reason R]\n"
                        "  rollback ENDPOINT [--version V] [--reason R]   V (default: the version served before) at once\n"
                        "  remove ENDPOINT         the endpoint no longer served\n"
                        "Analysis rules use the gate grammar relative to the stable version, over error_rate, p50_ms, p99_ms:\n"
                        "  \"error_rate <= stable + 0.01, p99_ms <= 1.2 * stable\" (the default; \"\" for none).\n"
                        "Completion and rollback move the model's champion alias. Exit status: 0 done, 2 refused or an error."));
    p.parser().addPositionalArgument(QStringLiteral("SUBCOMMAND"), QStringLiteral("start, status, list, pause, resume, promote, abort, retry, rollback or remove"));
    p.parser().addOptions({
        {QStringLiteral("version"), QStringLiteral("start, rollback: the model version."), QStringLiteral("V")},
        {QStringLiteral("alias"), QStringLiteral("start: the version an alias names (champion, challenger, …)."), QStringLiteral("A")},
        {QStringLiteral("endpoint"), QStringLiteral("start: the endpoint (/v2/models/E/infer)."), QStringLiteral("E")},
        {QStringLiteral("strategy"), QStringLiteral("start: direct, blue-green, canary or shadow."), QStringLiteral("S")},
        {QStringLiteral("steps"), QStringLiteral("start: canary weights in percent, ending at 100 (default 5,25,50,100)."), QStringLiteral("LIST")},
        {QStringLiteral("pause"), QStringLiteral("start: each canary step's pause before its analysis (default 60s)."), QStringLiteral("DURATION")},
        {QStringLiteral("analysis"), QStringLiteral("start: the rules a canary step must pass."), QStringLiteral("RULES")},
        {QStringLiteral("min-requests"), QStringLiteral("start: requests each version needs in a step before the analysis decides (default 200)."), QStringLiteral("N")},
        {QStringLiteral("max-inconclusive"), QStringLiteral("start: pauses extended for too few requests before aborting (default 3)."), QStringLiteral("K")},
        {QStringLiteral("reason"), QStringLiteral("why (kept in the events and the audit log)."), QStringLiteral("TEXT")},
    });
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    QStringList args = p.positional();
    static const QStringList known = {QStringLiteral("start"), QStringLiteral("status"), QStringLiteral("list"), QStringLiteral("pause"), QStringLiteral("resume"),
                                      QStringLiteral("promote"), QStringLiteral("abort"), QStringLiteral("retry"), QStringLiteral("rollback"), QStringLiteral("remove")};
    if (args.isEmpty() || !known.contains(args.first()))
        return p.usageError(QStringLiteral("give a subcommand: %1").arg(known.join(QStringLiteral(", "))));
    const QString sub = args.takeFirst();
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    store::Database &db = (*ws)->database();
    deploy::DeploymentStore deployments(db, (*ws)->cacheDir());
    const QString reason = p.value(QStringLiteral("reason"));

    auto servers = [&]() {
        auto live = deploy::liveServers(db);
        return live ? *live : QVector<deploy::ServerRecord>{};
    };
    auto recentEvents = [&](const QString &endpoint, int limit) {
        auto events = deployments.events(endpoint, QString(), limit);
        return events ? *events : QVector<deploy::DeploymentEvent>{};
    };
    auto printResult = [&](const Result<deploy::Deployment> &d) {
        if (!d)
            return fail(d.status().withContext(QStringLiteral("deploy %1").arg(sub)));
        // The change tries its webhook deliveries once, now; the rest are retried later.
        if (auto sent = registry::deliverPendingNow(db); !sent)
            std::fprintf(stderr, "orrery-cli: webhook deliveries not tried: %s\n", qPrintable(sent.status().message()));
        if (p.json()) {
            printJson(deploymentJson(*d));
            return int(ExitOk);
        }
        out(describe(*d));
        if (servers().isEmpty())
            out(QStringLiteral("no server is running: the change waits for `orrery-cli serve`"));
        return int(ExitOk);
    };

    if (sub == QLatin1String("list") || sub == QLatin1String("status")) {
        if (sub == QLatin1String("status") && args.size() > 1)
            return p.usageError(QStringLiteral("status takes at most one endpoint"));
        QVector<deploy::Deployment> shown;
        if (sub == QLatin1String("status") && !args.isEmpty()) {
            auto one = deployments.get(args.first());
            if (!one)
                return fail(one.status());
            shown.append(*one);
        } else {
            auto all = deployments.list();
            if (!all)
                return fail(all.status());
            shown = *all;
        }
        auto revision = deployments.revision();
        if (!revision)
            return fail(revision.status());
        const QVector<deploy::ServerRecord> live = servers();
        if (p.json()) {
            QJsonArray endpoints, serverArray;
            for (const auto &d : std::as_const(shown)) {
                QJsonObject o = deploymentJson(d);
                if (sub == QLatin1String("status")) {
                    QJsonArray events;
                    for (const auto &e : recentEvents(d.endpoint, 20))
                        events.append(QJsonObject{{QStringLiteral("time"), e.time.toString(Qt::ISODateWithMs)}, {QStringLiteral("kind"), e.kind},
                                                  {QStringLiteral("weights"), QJsonDocument::fromJson(e.weights.toUtf8()).object()},
                                                  {QStringLiteral("detail"), e.detail}});
                    o.insert(QStringLiteral("events"), events);
                }
                endpoints.append(o);
            }
            for (const auto &s : live)
                serverArray.append(QJsonObject{{QStringLiteral("url"), s.url()}, {QStringLiteral("pid"), s.pid},
                                               {QStringLiteral("applied_revision"), s.appliedRevision}});
            printJson(QJsonObject{{QStringLiteral("endpoints"), endpoints}, {QStringLiteral("servers"), serverArray},
                                  {QStringLiteral("revision"), *revision},
                                  {QStringLiteral("waiting_for_server"), live.isEmpty()}});
            return ExitOk;
        }
        if (shown.isEmpty())
            out(QStringLiteral("no endpoints yet: orrery-cli deploy start MODEL --alias champion --endpoint NAME"));
        for (const auto &d : std::as_const(shown)) {
            out(describe(d));
            if (sub == QLatin1String("status"))
                for (const auto &e : recentEvents(d.endpoint, 10))
                    out(QStringLiteral("  %1  %2  %3").arg(e.time.toLocalTime().toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")), e.kind, e.detail));
        }
        if (live.isEmpty())
            out(QStringLiteral("no server is running: waiting for a server (orrery-cli serve)"));
        for (const auto &s : live)
            out(QStringLiteral("server %1 (pid %2) applied revision %3 of %4%5").arg(s.url()).arg(s.pid).arg(s.appliedRevision).arg(*revision)
                    .arg(s.appliedRevision >= *revision ? QString() : QStringLiteral(", applying")));
        return ExitOk;
    }

    if (sub == QLatin1String("start")) {
        if (args.size() != 1)
            return p.usageError(QStringLiteral("start takes the model's name: deploy start MODEL (--version V | --alias A) --endpoint E"));
        deploy::StartRequest r;
        r.model = args.first();
        r.endpoint = p.value(QStringLiteral("endpoint"));
        r.alias = p.value(QStringLiteral("alias"));
        r.reason = reason;
        if (r.endpoint.isEmpty())
            return p.usageError(QStringLiteral("start needs --endpoint E"));
        if (p.isSet(QStringLiteral("version")) == p.isSet(QStringLiteral("alias")))
            return p.usageError(QStringLiteral("start needs exactly one of --version V and --alias A"));
        if (p.isSet(QStringLiteral("version"))) {
            bool ok = false;
            r.version = p.value(QStringLiteral("version")).toInt(&ok);
            if (!ok || r.version < 1)
                return p.usageError(QStringLiteral("--version needs a version number"));
        }
        if (p.isSet(QStringLiteral("strategy"))) {
            auto s = deploy::parseStrategy(p.value(QStringLiteral("strategy")));
            if (!s)
                return p.usageError(s.status().message());
            r.strategy = *s;
            r.strategyGiven = true;
        }
        if (p.isSet(QStringLiteral("steps"))) {
            auto steps = deploy::parseSteps(p.value(QStringLiteral("steps")));
            if (!steps)
                return p.usageError(steps.status().message());
            r.steps = *steps;
        }
        if (p.isSet(QStringLiteral("pause"))) {
            auto ms = deploy::parseDurationMs(p.value(QStringLiteral("pause")));
            if (!ms)
                return p.usageError(ms.status().message());
            r.pauseMs = *ms;
        }
        if (p.isSet(QStringLiteral("analysis")))
            r.analysis = p.value(QStringLiteral("analysis"));
        for (const auto &[option, target] : {std::pair{"min-requests", &r.minRequests}, std::pair{"max-inconclusive", &r.maxInconclusive}})
            if (p.isSet(QLatin1String(option))) {
                bool ok = false;
                *target = p.value(QLatin1String(option)).toInt(&ok);
                if (!ok || *target < 0)
                    return p.usageError(QStringLiteral("--%1 needs a whole number").arg(QLatin1String(option)));
            }
        return printResult(deployments.start(r));
    }

    if (args.size() != 1)
        return p.usageError(QStringLiteral("%1 takes the endpoint's name").arg(sub));
    const QString endpoint = args.first();
    if (sub == QLatin1String("pause"))
        return printResult(deployments.pause(endpoint, reason));
    if (sub == QLatin1String("resume"))
        return printResult(deployments.resume(endpoint));
    if (sub == QLatin1String("promote"))
        return printResult(deployments.promote(endpoint, reason));
    if (sub == QLatin1String("abort"))
        return printResult(deployments.abort(endpoint, reason.isEmpty() ? QStringLiteral("aborted by hand") : reason));
    if (sub == QLatin1String("retry"))
        return printResult(deployments.retry(endpoint));
    if (sub == QLatin1String("rollback")) {
        int version = 0;
        if (p.isSet(QStringLiteral("version"))) {
            bool ok = false;
            version = p.value(QStringLiteral("version")).toInt(&ok);
            if (!ok || version < 1)
                return p.usageError(QStringLiteral("--version needs a version number"));
        }
        return printResult(deployments.rollback(endpoint, version, reason));
    }
    const Status removed = deployments.remove(endpoint, reason);
    if (!removed)
        return fail(removed.withContext(QStringLiteral("deploy remove")));
    out(QStringLiteral("%1: removed; the server stops serving it").arg(endpoint));
    return ExitOk;
}

} // namespace orrery::cli
