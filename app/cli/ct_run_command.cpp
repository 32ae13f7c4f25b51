// orrery-cli ct run [--once] [--until STEP] [--interval D] [--json]: the continuous-training loop
// (core/ct/iteration_runner.h). It holds the loop's lock while it runs (a second `ct run` is
// refused, naming the first); each pass carries on the iteration in progress — resumed where a
// stopped or killed loop left it, or approved — or checks the triggers and runs a new iteration
// through its steps, printing each decision and step as it happens.
// SIGTERM or Ctrl-C stops it cleanly: a pipeline in progress is cancelled (it runs again on the
// next start), a canary is left to the server (followed again on the next start); a second
// signal ends it at once. Exit 0: stopped, or (--once) nothing fired or the iteration ended as
// the loop decided (promoted, rolled back, no change, waiting for approval, stopped as asked);
// 1: the iteration failed (`ct show ID` says why); 2: an error (another loop runs, ct.yaml does
// not check, …).
#include "app/cli/ct_command.h"

#include "core/common/clock.h"
#include "core/common/duration.h"
#include "core/common/job.h"
#include "core/ct/iteration_runner.h"
#include "core/ct/iteration_store.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QThread>

#include <csignal>
#include <cstdio>
#include <ctime>
#include <memory>
#include <pthread.h>

namespace orrery::cli {
namespace {

const QString kDescription = QStringLiteral(
    "The continuous-training loop of ct.yaml. Each pass carries on the iteration in progress or, when a\n"
    "trigger fires and the policies allow, starts one: data (the training data with the labelled production\n"
    "rows, a new data version on the branch orrery/ct/<ID> in a worktree under .orrery/worktrees/; the\n"
    "user's working tree and branch are never touched) → pipeline (its register stage's offline gates make\n"
    "the new version challenger) → gate (challenger against champion on the newest labelled production rows,\n"
    "which neither trained on) → approval (policies.require_approval) → canary (the serving process rolls it\n"
    "out with ct.yaml's analysis) → promoted, or rolled back. Without --once it runs until SIGTERM or Ctrl-C,\n"
    "which stop it cleanly; the next `ct run` carries on the iteration where it stopped.");

QJsonObject dataJson(const ct::DataStepResult &d)
{
    return {{QStringLiteral("branch"), d.commit.isEmpty() ? QJsonValue() : QJsonValue(d.branch)},
            {QStringLiteral("base_commit"), d.baseCommit},
            {QStringLiteral("base_md5"), d.baseMd5},
            {QStringLiteral("md5"), d.md5},
            {QStringLiteral("size"), double(d.size)},
            {QStringLiteral("commit"), d.commit.isEmpty() ? QJsonValue() : QJsonValue(d.commit)},
            {QStringLiteral("changed"), d.changed},
            {QStringLiteral("rows_added"), double(d.rowsAdded)},
            {QStringLiteral("labels_after"), double(d.afterFeedback)},
            {QStringLiteral("labelled"), double(d.rows.labelled)},
            {QStringLiteral("without_inputs"), double(d.rows.withoutInputs)},
            {QStringLiteral("unusable"), double(d.rows.unusable)},
            {QStringLiteral("chosen"), double(d.rows.chosen)},
            {QStringLiteral("gate_rows"), double(d.gateRows)},
            {QStringLiteral("feedback_through"), double(d.rows.feedbackThrough)},
            {QStringLiteral("empty_columns"), QJsonArray::fromStringList(d.rows.emptyColumns)}};
}

QJsonObject passJson(const QString &root, const ct::PassResult &r)
{
    QJsonArray recovered;
    for (const auto &i : r.recovered)
        recovered.append(ctIterationJson(i));
    QJsonArray firing;
    for (const auto &f : r.decision.firing)
        firing.append(QJsonObject{{QStringLiteral("kind"), f.kind}, {QStringLiteral("reason"), f.reason}});
    QJsonArray steps;
    if (r.iteration)
        if (auto ws = workspace::Workspace::open(root)) {
            ct::IterationStore store((*ws)->database());
            if (auto list = store.steps(r.iteration->id))
                for (const auto &s : *list)
                    steps.append(ctStepJson(s));
        }
    return {{QStringLiteral("recovered"), recovered},
            {QStringLiteral("started"), r.decision.start},
            {QStringLiteral("decision"), r.decision.reason},
            {QStringLiteral("blocked"), ct::blockedName(r.decision.blocked)},
            {QStringLiteral("blocked_until"), ctIso(r.decision.blockedUntil)},
            {QStringLiteral("firing"), firing},
            {QStringLiteral("stopped"), r.stopped},
            {QStringLiteral("iteration"), r.iteration ? QJsonValue(ctIterationJson(*r.iteration)) : QJsonValue()},
            {QStringLiteral("steps"), steps},
            {QStringLiteral("data"), r.data ? QJsonValue(dataJson(*r.data)) : QJsonValue()}};
}

} // namespace

int runCtRun(const Context &context)
{
    CommandParser p(context, QStringLiteral("ct run"), kDescription);
    p.addJsonOption();
    p.parser().addOption({QStringLiteral("once"), QStringLiteral("One pass, then exit.")});
    p.parser().addOption({QStringLiteral("until"), QStringLiteral("The last step to run: data, pipeline, gate, canary or promote (default: promote, all of them)."),
                          QStringLiteral("STEP"), QStringLiteral("promote")});
    p.parser().addOption({QStringLiteral("interval"), QStringLiteral("Between passes of the long-running loop (default 5s, clock time)."), QStringLiteral("DURATION"),
                          QStringLiteral("5s")});
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    if (!p.positional().isEmpty())
        return p.usageError(QStringLiteral("`ct run` takes no arguments (got %1)").arg(p.positional().join(QLatin1Char(' '))));
    const bool once = p.isSet(QStringLiteral("once"));
    if (Status s = ct::checkUntil(p.value(QStringLiteral("until"))); !s.isOk())
        return p.usageError(s.message());
    auto interval = common::parseDurationMs(p.value(QStringLiteral("interval")));
    if (!interval || *interval < 10)
        return p.usageError(QStringLiteral("--interval %1: give a duration of at least 10ms, e.g. 5s").arg(p.value(QStringLiteral("interval"))));
    if (p.json() && !once)
        return p.usageError(QStringLiteral("--json needs --once (the long-running loop prints its steps as lines)"));

    const bool json = p.json();
    ct::LoopOptions options;
    options.until = p.value(QStringLiteral("until"));
    options.cliDir = QCoreApplication::applicationDirPath();
    options.log = [json](const QString &line) {
        // With --json, stdout holds the one JSON document: the log goes to stderr.
        std::fprintf(json ? stderr : stdout, "ct: %s\n", qPrintable(line));
        std::fflush(json ? stderr : stdout);
    };
    auto root = context.workspaceDir.isEmpty() ? workspace::Workspace::findRoot(workspaceRootFor(context)) : Result<QString>(workspaceRootFor(context));
    if (!root)
        return fail(root.status());
    const common::Clock &clock = common::Clock::system();
    auto lock = ct::acquireLoopLock(*root);
    if (!lock)
        return fail(lock.status());

    ct::PassResult last;
    const qint64 intervalMs = *interval;
    if (!once)
        options.log(QStringLiteral("the loop of %1 runs (PID %2); SIGTERM or Ctrl-C stops it").arg(*root).arg(QCoreApplication::applicationPid()));
    const Status status = runStoppable(
        QStringLiteral("ct run"),
        [&](common::JobContext &ctx) -> Status {
            for (;;) {
                auto pass = ct::runLoopPass(*root, clock, options, &ctx);
                if (!pass)
                    return pass.status();
                last = std::move(*pass);
                if (once || last.stopped || ctx.isCancelled())
                    return Status::ok();
                // Between passes: waits in short real steps, so a stop is never kept waiting.
                const qint64 until = clock.now().toMSecsSinceEpoch() + intervalMs;
                while (clock.now().toMSecsSinceEpoch() < until && !ctx.isCancelled())
                    QThread::msleep(50);
                if (ctx.isCancelled())
                    return Status::ok();
            }
        },
        options.log, QStringLiteral("stopped at once; the next `ct run` resumes or fails the iteration in progress"));
    if (!status.isOk() && status.code() != ErrorCode::Cancelled)
        return fail(status);
    if (json)
        printJson(passJson(*root, last));
    return last.failed() ? ExitProblem : ExitOk;
}

} // namespace orrery::cli
