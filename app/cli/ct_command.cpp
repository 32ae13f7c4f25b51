// orrery-cli ct status|list|show ID|approve ID|reject ID|pause|resume|trigger [--json]
// orrery-cli ct check [--next N] [--json]          (ct_check_command.cpp)
// orrery-cli ct run [--once] [--until STEP] [--json] (ct_run_command.cpp)
// The continuous-training loop's state and records (core/ct): every change here is one transaction
// with its audit entry (iteration_store.h, loop_state_store.h).
#include "app/cli/ct_command.h"

#include "core/common/clock.h"
#include "core/common/duration.h"
#include "core/ct/ct_config.h"
#include "core/ct/iteration_store.h"
#include "core/ct/loop_state_store.h"
#include "core/ct/trigger_evaluator.h"
#include "core/workspace/workspace.h"

#include <QDateTime>
#include <QJsonArray>

namespace orrery::cli {
namespace {

const QString kUsage = QStringLiteral(
    "The continuous-training loop of the workspace (ct.yaml): its iterations and its state.\n"
    "  ct status                  the loop: paused or not, the iteration in progress, the policies' counts, the triggers\n"
    "  ct list [--limit N]        iterations, newest first: trigger, step, outcome and why\n"
    "  ct show ID                 one iteration with each of its steps and their reasons\n"
    "  ct approve ID [--reason T] let an iteration that waits for approval go on (policies.require_approval)\n"
    "  ct reject ID [--reason T]  end an iteration that waits for approval\n"
    "  ct pause [--reason T]      no new iteration starts until `ct resume` (the one in progress goes on)\n"
    "  ct resume\n"
    "  ct trigger [--reason T]    ask for a retrain by hand; the loop takes it in at its next check\n"
    "  ct check [--next N]        check ct.yaml; show its triggers and the schedule's next runs\n"
    "  ct run [--once]            the loop: carry on the iteration in progress, or check the triggers and run a new one\n"
    "                             (data → pipeline → gate → approval → canary → promote or roll back); SIGTERM stops it cleanly");

Result<qint64> parseId(const QString &text)
{
    bool ok = false;
    const qint64 id = text.toLongLong(&ok);
    if (!ok || id <= 0)
        return invalidArgument(QStringLiteral("'%1' is no iteration id; give the number `orrery-cli ct list` shows").arg(text));
    return id;
}

int list(CommandParser &p, workspace::Workspace &ws)
{
    bool ok = true;
    const int limit = p.isSet(QStringLiteral("limit")) ? p.value(QStringLiteral("limit")).toInt(&ok) : 50;
    if (!ok || limit <= 0)
        return p.usageError(QStringLiteral("--limit takes a whole number above 0"));
    ct::IterationStore store(ws.database());
    auto iterations = store.list(limit);
    if (!iterations)
        return fail(iterations.status());
    if (p.json()) {
        QJsonArray array;
        for (const auto &i : *iterations)
            array.append(ctIterationJson(i));
        printJson(QJsonObject{{QStringLiteral("iterations"), array}});
        return ExitOk;
    }
    if (iterations->isEmpty()) {
        out(QStringLiteral("No iterations yet (`orrery-cli ct trigger` asks for one; `orrery-cli ct run --once` runs one)."));
        return ExitOk;
    }
    out(QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("ID"), 4).arg(QStringLiteral("STARTED"), -24).arg(QStringLiteral("TRIGGER"), -8).arg(QStringLiteral("STATUS"), -28).arg(QStringLiteral("DATA")));
    for (const auto &i : *iterations) {
        out(QStringLiteral("%1  %2  %3  %4  %5").arg(i.id, 4).arg(ctIso(i.created), -24).arg(i.triggerKind, -8).arg(ctIterationStatus(i), -28)
                .arg(i.dataVersion.isEmpty() ? QStringLiteral("-") : i.dataVersion.left(12)));
        if (!i.reason.isEmpty())
            out(QStringLiteral("      %1").arg(i.reason));
    }
    return ExitOk;
}

int show(CommandParser &p, workspace::Workspace &ws)
{
    if (p.positional().size() != 1)
        return p.usageError(QStringLiteral("give the iteration's id: `ct show ID`"));
    auto id = parseId(p.positional().first());
    if (!id)
        return p.usageError(id.status().message());
    ct::IterationStore store(ws.database());
    auto i = store.get(*id);
    if (!i)
        return fail(i.status().code() == ErrorCode::NotFound ? Status(ErrorCode::NotFound, i.status().message() + QStringLiteral("; `orrery-cli ct list` shows them")) : i.status());
    auto steps = store.steps(*id);
    if (!steps)
        return fail(steps.status());
    if (p.json()) {
        QJsonObject o = ctIterationJson(*i);
        QJsonArray array;
        for (const auto &s : *steps)
            array.append(ctStepJson(s));
        o.insert(QStringLiteral("steps"), array);
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("Iteration %1: %2").arg(i->id).arg(ctIterationStatus(*i)));
    out(QStringLiteral("  trigger   %1: %2").arg(i->triggerKind, i->triggerDetail));
    out(QStringLiteral("  model     %1 on endpoint %2%3").arg(i->model, i->endpoint, i->modelVersion ? QStringLiteral(" (version %1)").arg(i->modelVersion) : QString()));
    if (!i->dataVersion.isEmpty())
        out(QStringLiteral("  data      %1%2").arg(i->dataVersion, i->dataCommit.isEmpty() ? QString() : QStringLiteral(", commit %1 on %2").arg(i->dataCommit, i->branch)));
    if (!i->pipelineRun.isEmpty())
        out(QStringLiteral("  pipeline  run %1").arg(i->pipelineRun));
    out(QStringLiteral("  started   %1%2").arg(ctIso(i->created), i->finished ? QStringLiteral(", ended %1").arg(ctIso(i->finished)) : QString()));
    if (!i->reason.isEmpty())
        out(QStringLiteral("  why       %1").arg(i->reason));
    for (const auto &s : *steps)
        out(QStringLiteral("  step %1: %2 (%3 → %4)%5").arg(s.name, s.state, ctIso(s.started), s.finished ? ctIso(s.finished) : QStringLiteral("…"),
                                                            s.reason.isEmpty() ? QString() : QStringLiteral("\n      ") + s.reason));
    return ExitOk;
}

int decide(CommandParser &p, workspace::Workspace &ws, bool approve)
{
    if (p.positional().size() != 1)
        return p.usageError(QStringLiteral("give the iteration's id: `ct %1 ID`").arg(approve ? QStringLiteral("approve") : QStringLiteral("reject")));
    auto id = parseId(p.positional().first());
    if (!id)
        return p.usageError(id.status().message());
    ct::IterationStore store(ws.database());
    const QString reason = p.value(QStringLiteral("reason"));
    auto decided = approve ? store.approve(*id, reason) : store.reject(*id, reason);
    if (!decided)
        return fail(decided.status());
    if (p.json())
        printJson(ctIterationJson(*decided));
    else
        out(QStringLiteral("Iteration %1 %2 (%3).").arg(decided->id).arg(approve ? QStringLiteral("approved: the loop goes on with it") : QStringLiteral("rejected"), decided->reason));
    return ExitOk;
}

int pauseOrResume(CommandParser &p, workspace::Workspace &ws, bool pause)
{
    ct::LoopStateStore states(ws.database());
    auto changed = pause ? states.pause(p.value(QStringLiteral("reason"))) : states.resume();
    if (!changed)
        return fail(changed.status());
    auto state = states.read();
    if (!state)
        return fail(state.status());
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("paused"), state->paused}, {QStringLiteral("changed"), *changed},
                              {QStringLiteral("paused_by"), state->pausedBy}, {QStringLiteral("paused_reason"), state->pausedReason}});
        return ExitOk;
    }
    if (pause)
        out(*changed ? QStringLiteral("The loop is paused: no new iteration starts until `orrery-cli ct resume` (one in progress goes on).")
                     : QStringLiteral("The loop was paused already (by %1).").arg(state->pausedBy));
    else
        out(*changed ? QStringLiteral("The loop is running again: triggers that fired meanwhile start an iteration at its next check.")
                     : QStringLiteral("The loop was not paused."));
    return ExitOk;
}

int trigger(CommandParser &p, workspace::Workspace &ws)
{
    ct::LoopStateStore states(ws.database());
    if (Status s = states.requestManual(p.value(QStringLiteral("reason"))); !s.isOk())
        return fail(s);
    if (p.json())
        printJson(QJsonObject{{QStringLiteral("requested"), true}});
    else
        out(QStringLiteral("Retrain asked for: the loop takes it in at its next check (`orrery-cli ct run --once` checks now)."));
    return ExitOk;
}

int status(CommandParser &p, workspace::Workspace &ws)
{
    ct::LoopStateStore states(ws.database());
    auto state = states.read();
    if (!state)
        return fail(state.status());
    ct::IterationStore store(ws.database());
    auto active = store.active();
    if (!active)
        return fail(active.status());
    auto recent = store.list(1);
    if (!recent)
        return fail(recent.status());
    // The triggers as the loop would see them now, without recording anything.
    auto config = ct::loadCtConfig(ws.root());
    std::optional<ct::TriggerDecision> decision;
    QString configProblem;
    if (config) {
        ct::TriggerEvaluator evaluator(*config, ws.database(), ws.root(), common::Clock::system());
        auto d = evaluator.evaluate(false);
        if (!d)
            return fail(d.status());
        decision = *d;
    } else {
        configProblem = config.status().message();
    }
    const qint64 now = common::Clock::system().nowMs();
    if (p.json()) {
        QJsonObject o{{QStringLiteral("paused"), state->paused},
                      {QStringLiteral("paused_by"), state->pausedBy},
                      {QStringLiteral("paused_reason"), state->pausedReason},
                      {QStringLiteral("last_retrain"), ctIso(state->lastRetrain)},
                      {QStringLiteral("started_today"), state->countOnDay(now)},
                      {QStringLiteral("manual_requested"), ctIso(state->manualRequested)},
                      {QStringLiteral("active"), *active ? QJsonValue(ctIterationJson(**active)) : QJsonValue()},
                      {QStringLiteral("last"), recent->isEmpty() ? QJsonValue() : QJsonValue(ctIterationJson(recent->first()))},
                      {QStringLiteral("config_error"), configProblem.isEmpty() ? QJsonValue() : QJsonValue(configProblem)}};
        if (decision) {
            QJsonArray firing;
            for (const auto &f : decision->firing)
                firing.append(QJsonObject{{QStringLiteral("kind"), f.kind}, {QStringLiteral("reason"), f.reason}});
            o.insert(QStringLiteral("config"), ctConfigJson(*config, 3));
            o.insert(QStringLiteral("would_start"), decision->start);
            o.insert(QStringLiteral("decision"), decision->reason);
            o.insert(QStringLiteral("blocked"), ct::blockedName(decision->blocked));
            o.insert(QStringLiteral("blocked_until"), ctIso(decision->blockedUntil));
            o.insert(QStringLiteral("next_schedule"), ctIso(decision->nextSchedule));
            o.insert(QStringLiteral("firing"), firing);
        }
        printJson(o);
        return ExitOk;
    }
    out(state->paused ? QStringLiteral("Loop: paused by %1 at %2%3").arg(state->pausedBy, ctIso(state->pausedAt),
                                                                     state->pausedReason.isEmpty() ? QString() : QStringLiteral(" (%1)").arg(state->pausedReason))
                      : QStringLiteral("Loop: running (starts iterations when a trigger fires)"));
    if (*active)
        out(QStringLiteral("In progress: iteration %1, %2, trigger %3").arg((*active)->id).arg(ctIterationStatus(**active), (*active)->triggerKind));
    else if (!recent->isEmpty())
        out(QStringLiteral("Last: iteration %1, %2 at %3%4").arg(recent->first().id).arg(ctIterationStatus(recent->first()), ctIso(recent->first().finished),
                                                                   recent->first().reason.isEmpty() ? QString() : QStringLiteral(": ") + recent->first().reason));
    else
        out(QStringLiteral("No iterations yet."));
    if (!config) {
        out(QStringLiteral("ct.yaml: %1").arg(configProblem));
        return ExitOk;
    }
    out(QStringLiteral("Policies: cool-down %1 (last start %2), %3 of at most %4 started today (UTC)%5")
            .arg(common::durationText(config->policies.cooldownMs), state->lastRetrain ? ctIso(state->lastRetrain) : QStringLiteral("never"))
            .arg(state->countOnDay(now))
            .arg(config->policies.maxPerDay)
            .arg(config->policies.requireApproval ? QStringLiteral(", approval required before the canary") : QString()));
    if (decision->nextSchedule)
        out(QStringLiteral("Schedule: \"%1\", next run %2").arg(config->triggers.schedule->expression(), ctIso(decision->nextSchedule)));
    out(QStringLiteral("Now: %1%2").arg(decision->start ? QStringLiteral("an iteration would start: ") : QString(), decision->reason));
    return ExitOk;
}

} // namespace

int runCt(const Context &context)
{
    const QString sub = context.args.value(0);
    Context rest = context;
    if (!rest.args.isEmpty())
        rest.args.removeFirst();
    if (sub == QLatin1String("check"))
        return runCtCheck(rest);
    if (sub == QLatin1String("run"))
        return runCtRun(rest);
    static const QStringList subcommands = {QStringLiteral("status"), QStringLiteral("list"), QStringLiteral("show"), QStringLiteral("approve"),
                                            QStringLiteral("reject"), QStringLiteral("pause"), QStringLiteral("resume"), QStringLiteral("trigger")};
    if (!subcommands.contains(sub)) {
        out(QStringLiteral("Usage: %1 ct status|list|show|approve|reject|pause|resume|trigger|check|run [--json]\n%2").arg(context.program, kUsage));
        if (sub.isEmpty() || sub == QLatin1String("--help") || sub == QLatin1String("-h"))
            return sub.isEmpty() ? ExitError : ExitOk;
        return fail(QStringLiteral("ct: unknown subcommand '%1' (expected status, list, show, approve, reject, pause, resume, trigger, check or run)").arg(sub));
    }
    CommandParser p(rest, QStringLiteral("ct ") + sub, kUsage);
    p.addJsonOption();
    if (sub == QLatin1String("show") || sub == QLatin1String("approve") || sub == QLatin1String("reject"))
        p.parser().addPositionalArgument(QStringLiteral("ID"), QStringLiteral("The iteration's id (ct list)."));
    if (sub == QLatin1String("approve") || sub == QLatin1String("reject") || sub == QLatin1String("pause") || sub == QLatin1String("trigger"))
        p.parser().addOption({QStringLiteral("reason"), QStringLiteral("Why (kept in the audit log)."), QStringLiteral("TEXT")});
    if (sub == QLatin1String("list"))
        p.parser().addOption({QStringLiteral("limit"), QStringLiteral("At most N iterations (default 50)."), QStringLiteral("N")});
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    if (sub != QLatin1String("show") && sub != QLatin1String("approve") && sub != QLatin1String("reject") && !p.positional().isEmpty())
        return p.usageError(QStringLiteral("`ct %1` takes no arguments (got %2)").arg(sub, p.positional().join(QLatin1Char(' '))));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    if (sub == QLatin1String("status"))
        return status(p, **ws);
    if (sub == QLatin1String("list"))
        return list(p, **ws);
    if (sub == QLatin1String("show"))
        return show(p, **ws);
    if (sub == QLatin1String("approve") || sub == QLatin1String("reject"))
        return decide(p, **ws, sub == QLatin1String("approve"));
    if (sub == QLatin1String("pause") || sub == QLatin1String("resume"))
        return pauseOrResume(p, **ws, sub == QLatin1String("pause"));
    return trigger(p, **ws);
}

} // namespace orrery::cli
