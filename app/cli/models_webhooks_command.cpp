// orrery-cli models webhooks …: add URL [--events e1,e2|*] [--model NAME] [--secret S] [--allow-http],
// list, remove ID, deliveries [--webhook ID] [--state pending|delivered|failed], deliver
// [--timeout S]; --json on each. The secret is never printed, except a generated one, once, by add.
#include "app/cli/models_webhooks_command.h"

#include "core/registry/webhook_dispatcher.h"
#include "core/registry/webhooks.h"
#include "core/workspace/workspace.h"

#include <QDateTime>
#include <QJsonArray>

#include <cstdio>

namespace orrery::cli {

namespace {

using registry::Webhook;
using registry::WebhookDelivery;

const QString kUsage = QStringLiteral(
    "The registry's webhooks: an HTTP POST of each event (model_version.created, alias.moved,\n"
    "validation.changed, deployment.changed, alert.firing, alert.resolved) signed with\n"
    "X-Orrery-Signature: sha256=HMAC(secret, body).\n"
    "  add URL [--events E1,E2|*] [--model NAME] [--secret S] [--allow-http]\n"
    "                        https, or http to this machine (127.0.0.1, ::1, localhost) unless --allow-http;\n"
    "                        without --secret one is generated and printed once\n"
    "  list                  the webhooks (the secret is never shown)\n"
    "  remove ID             the webhook and its deliveries\n"
    "  deliveries [--webhook ID] [--state pending|delivered|failed]\n"
    "                        queued, delivered and failed deliveries with their last error\n"
    "  deliver [--timeout S] try the deliveries never tried yet, once, now (retries are made by\n"
    "                        `orrery-cli tracking serve`, which holds the webhooks lease)");

QString iso(qint64 ms)
{
    return ms > 0 ? QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs) : QString();
}

QJsonObject hookJson(const Webhook &w)
{
    return {{QStringLiteral("id"), double(w.id)},
            {QStringLiteral("url"), w.url},
            {QStringLiteral("events"), QJsonArray::fromStringList(w.events)},
            {QStringLiteral("model"), w.model.isEmpty() ? QJsonValue() : QJsonValue(w.model)},
            {QStringLiteral("allow_http"), w.allowHttp},
            {QStringLiteral("secret_set"), w.hasSecret},
            {QStringLiteral("active"), w.active},
            {QStringLiteral("created"), iso(w.created)}};
}

QJsonObject deliveryJson(const WebhookDelivery &d)
{
    return {{QStringLiteral("id"), double(d.id)},
            {QStringLiteral("webhook_id"), double(d.webhookId)},
            {QStringLiteral("url"), d.url},
            {QStringLiteral("event"), d.event},
            {QStringLiteral("state"), d.state},
            {QStringLiteral("attempts"), d.attempts},
            {QStringLiteral("next_attempt"), d.state == QLatin1String("pending") ? QJsonValue(iso(d.nextAttempt)) : QJsonValue()},
            {QStringLiteral("last_status"), d.lastStatus ? QJsonValue(d.lastStatus) : QJsonValue()},
            {QStringLiteral("last_error"), d.lastError},
            {QStringLiteral("created"), iso(d.created)},
            {QStringLiteral("finished"), d.finished ? QJsonValue(iso(d.finished)) : QJsonValue()}};
}

Result<qint64> parseId(const QString &text, const QString &what)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0)
        return invalidArgument(QStringLiteral("%1 '%2' is no webhook id; give the number `orrery-cli models webhooks list` shows").arg(what, text));
    return id;
}

int add(CommandParser &p, const QStringList &args, workspace::Workspace &ws)
{
    if (args.size() != 1)
        return p.usageError(QStringLiteral("give one URL: `models webhooks add URL [--events E1,E2|*] [--model NAME]`"));
    registry::NewWebhook hook;
    hook.url = args.first();
    if (p.isSet(QStringLiteral("events")))
        hook.events = p.value(QStringLiteral("events")).split(QLatin1Char(','), Qt::SkipEmptyParts);
    hook.model = p.value(QStringLiteral("model"));
    hook.secret = p.value(QStringLiteral("secret"));
    if (p.isSet(QStringLiteral("secret")) && hook.secret.isEmpty())
        return p.usageError(QStringLiteral("--secret is empty; give a secret, or leave --secret out to have one generated"));
    hook.allowHttp = p.isSet(QStringLiteral("allow-http"));
    registry::Webhooks hooks(ws.database());
    auto added = hooks.add(hook);
    if (!added)
        return fail(added.status());
    const Webhook &w = added->webhook;
    recordAudit(ws, QStringLiteral("webhook.add"), QStringLiteral("webhook/%1").arg(w.id),
                {{QStringLiteral("url"), w.url}, {QStringLiteral("events"), w.events.join(QLatin1Char(','))}, {QStringLiteral("model"), w.model}});
    if (p.json()) {
        QJsonObject o = hookJson(w);
        if (!added->generatedSecret.isEmpty())
            o.insert(QStringLiteral("generated_secret"), added->generatedSecret);
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("webhook %1 → %2 (%3%4)").arg(w.id).arg(w.url, w.events.join(QLatin1Char(',')),
                                                      w.model.isEmpty() ? QString() : QStringLiteral(", model %1").arg(w.model)));
    if (!added->generatedSecret.isEmpty())
        out(QStringLiteral("secret (shown once; configure the receiver with it): %1").arg(added->generatedSecret));
    return ExitOk;
}

int list(CommandParser &p, const QStringList &args, workspace::Workspace &ws)
{
    if (!args.isEmpty())
        return p.usageError(QStringLiteral("`models webhooks list` takes no arguments"));
    registry::Webhooks hooks(ws.database());
    auto all = hooks.list();
    if (!all)
        return fail(all.status());
    if (p.json()) {
        QJsonArray array;
        for (const Webhook &w : *all)
            array.append(hookJson(w));
        printJson(array);
        return ExitOk;
    }
    if (all->isEmpty()) {
        out(QStringLiteral("No webhooks. Add one with `orrery-cli models webhooks add https://…`."));
        return ExitOk;
    }
    for (const Webhook &w : *all) {
        out(QStringLiteral("%1  %2").arg(w.id).arg(w.url));
        out(QStringLiteral("    events: %1  model: %2  secret: %3%4").arg(w.events.join(QLatin1Char(',')), w.model.isEmpty() ? QStringLiteral("all") : w.model,
                                                                   w.hasSecret ? QStringLiteral("set") : QStringLiteral("none"),
                                                                   w.allowHttp ? QStringLiteral("  allow-http") : QString()));
    }
    return ExitOk;
}

int remove(CommandParser &p, const QStringList &args, workspace::Workspace &ws)
{
    if (args.size() != 1)
        return p.usageError(QStringLiteral("give the webhook's id: `models webhooks remove ID`"));
    auto id = parseId(args.first(), QStringLiteral("ID"));
    if (!id)
        return p.usageError(id.status().message());
    registry::Webhooks hooks(ws.database());
    const Status removed = hooks.remove(*id);
    if (!removed)
        return fail(removed);
    recordAudit(ws, QStringLiteral("webhook.remove"), QStringLiteral("webhook/%1").arg(*id), {});
    if (p.json())
        printJson(QJsonObject{{QStringLiteral("removed"), double(*id)}});
    else
        out(QStringLiteral("removed webhook %1 and its deliveries").arg(*id));
    return ExitOk;
}

int deliveries(CommandParser &p, const QStringList &args, workspace::Workspace &ws)
{
    if (!args.isEmpty())
        return p.usageError(QStringLiteral("`models webhooks deliveries` takes no arguments (filter with --webhook ID, --state STATE)"));
    registry::DeliveryQuery q;
    if (p.isSet(QStringLiteral("webhook"))) {
        auto id = parseId(p.value(QStringLiteral("webhook")), QStringLiteral("--webhook"));
        if (!id)
            return p.usageError(id.status().message());
        q.webhookId = *id;
    }
    q.state = p.value(QStringLiteral("state"));
    registry::Webhooks hooks(ws.database());
    auto all = hooks.deliveries(q);
    if (!all)
        return all.status().code() == ErrorCode::InvalidArgument ? p.usageError(all.status().message()) : fail(all.status());
    if (p.json()) {
        QJsonArray array;
        for (const WebhookDelivery &d : *all)
            array.append(deliveryJson(d));
        printJson(array);
        return ExitOk;
    }
    if (all->isEmpty()) {
        out(QStringLiteral("No deliveries."));
        return ExitOk;
    }
    for (const WebhookDelivery &d : *all) {
        QString line = QStringLiteral("%1  webhook %2  %3  %4  attempts %5").arg(d.id).arg(d.webhookId).arg(d.event, -22).arg(d.state, -9).arg(d.attempts);
        if (d.state == QLatin1String("pending") && d.attempts > 0)
            line += QStringLiteral("  next %1").arg(iso(d.nextAttempt));
        out(line);
        if (!d.lastError.isEmpty())
            out(QStringLiteral("    last error: %1").arg(d.lastError));
    }
    return ExitOk;
}

int deliver(CommandParser &p, const QStringList &args, workspace::Workspace &ws)
{
    if (!args.isEmpty())
        return p.usageError(QStringLiteral("`models webhooks deliver` takes no arguments"));
    int timeoutMs = 5000;
    if (p.isSet(QStringLiteral("timeout"))) {
        bool ok = false;
        const double s = p.value(QStringLiteral("timeout")).toDouble(&ok);
        if (!ok || s <= 0 || s > 600)
            return p.usageError(QStringLiteral("--timeout '%1' is not a number of seconds between 0 and 600").arg(p.value(QStringLiteral("timeout"))));
        timeoutMs = int(s * 1000);
    }
    auto report = registry::deliverPendingNow(ws.database(), timeoutMs);
    if (!report)
        return fail(report.status());
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("attempted"), report->attempted},
                              {QStringLiteral("delivered"), report->delivered},
                              {QStringLiteral("failed_attempts"), report->failedAttempts}});
        return ExitOk;
    }
    out(QStringLiteral("%1 attempted, %2 delivered, %3 failed (retried by `orrery-cli tracking serve`; see `models webhooks deliveries`)")
            .arg(report->attempted).arg(report->delivered).arg(report->failedAttempts));
    return ExitOk;
}

} // namespace

int runModelsWebhooks(const QStringList &args, const Context &context)
{
    const QString sub = args.value(0);
    Context sub_context = context;
    sub_context.args = args.mid(1);
    const QString name = sub.isEmpty() || sub.startsWith(QLatin1Char('-')) ? QStringLiteral("models webhooks") : QStringLiteral("models webhooks ") + sub;
    if (sub.isEmpty() || sub.startsWith(QLatin1Char('-')))
        sub_context.args = args;
    CommandParser p(sub_context, name, kUsage);
    p.addJsonOption();
    p.parser().addPositionalArgument(QStringLiteral("ARGS"), QStringLiteral("the subcommand's arguments"));
    if (sub == QLatin1String("add")) {
        p.parser().addOption({QStringLiteral("events"), QStringLiteral("Comma-separated events, or * (default)."), QStringLiteral("LIST")});
        p.parser().addOption({QStringLiteral("model"), QStringLiteral("Only this registered model's events (default: all models)."), QStringLiteral("NAME")});
        p.parser().addOption({QStringLiteral("secret"), QStringLiteral("The HMAC key the receiver checks (default: generated, printed once)."), QStringLiteral("S")});
        p.parser().addOption({QStringLiteral("allow-http"), QStringLiteral("Allow plain http to a host other than this machine.")});
    } else if (sub == QLatin1String("deliveries")) {
        p.parser().addOption({QStringLiteral("webhook"), QStringLiteral("Only this webhook's deliveries."), QStringLiteral("ID")});
        p.parser().addOption({QStringLiteral("state"), QStringLiteral("pending, delivered or failed."), QStringLiteral("STATE")});
    } else if (sub == QLatin1String("deliver")) {
        p.parser().addOption({QStringLiteral("timeout"), QStringLiteral("Seconds to wait for the receivers in all (default 5)."), QStringLiteral("S")});
    }
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    static const QStringList known = {QStringLiteral("add"), QStringLiteral("list"), QStringLiteral("remove"), QStringLiteral("deliveries"), QStringLiteral("deliver")};
    if (sub.isEmpty() || sub.startsWith(QLatin1Char('-')))
        return p.usageError(QStringLiteral("give a subcommand: add, list, remove, deliveries or deliver"));
    if (!known.contains(sub))
        return p.usageError(QStringLiteral("unknown subcommand '%1': expected add, list, remove, deliveries or deliver").arg(sub));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const QStringList rest = p.positional();
    if (sub == QLatin1String("add"))
        return add(p, rest, **ws);
    if (sub == QLatin1String("list"))
        return list(p, rest, **ws);
    if (sub == QLatin1String("remove"))
        return remove(p, rest, **ws);
    if (sub == QLatin1String("deliveries"))
        return deliveries(p, rest, **ws);
    return deliver(p, rest, **ws);
}

} // namespace orrery::cli
