// orrery-cli ct run --once --until data [--json]: one pass of the continuous-training loop
// (core/ct/iteration_runner.h) — the loop's lock, interrupted iterations failed, the triggers
// checked, and when one fires an iteration run through its data step: the training dataset with
// the labelled production rows, committed as a new data version on the iteration's own branch
// (never the user's working tree or branch). Each decision and step is printed as it happens.
// Exit 0: nothing fired, or the iteration ran as far as asked; 1: the iteration failed (the
// output says why; `ct show ID` too); 2: an error (another loop runs, ct.yaml does not check, …).
#include "app/cli/ct_command.h"

#include "core/common/clock.h"
#include "core/ct/iteration_runner.h"
#include "core/workspace/workspace.h"

#include <QJsonArray>

#include <cstdio>

namespace orrery::cli {
namespace {

const QString kDescription = QStringLiteral(
    "One pass of the continuous-training loop (ct.yaml): take the loop's lock, fail iterations a killed\n"
    "loop left behind, check the triggers, and when one fires (and the policies allow), run a new\n"
    "iteration. Built so far: its data step — the training dataset plus the labelled production rows\n"
    "(prediction log inputs joined with feedback) chosen by the data policy, committed as a new data\n"
    "version on the branch orrery/ct/<ID> in a worktree under .orrery/worktrees/; the user's working tree\n"
    "and branch are never touched. The pipeline, the loop's gate and the canary come next, so --until\n"
    "data is required.");

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
            {QStringLiteral("feedback_through"), double(d.rows.feedbackThrough)},
            {QStringLiteral("empty_columns"), QJsonArray::fromStringList(d.rows.emptyColumns)}};
}

} // namespace

int runCtRun(const Context &context)
{
    CommandParser p(context, QStringLiteral("ct run"), kDescription);
    p.addJsonOption();
    p.parser().addOption({QStringLiteral("once"), QStringLiteral("One pass, then exit (the long-running loop comes with the remaining steps).")});
    p.parser().addOption({QStringLiteral("until"), QStringLiteral("The last step to run: data (the only one built so far)."), QStringLiteral("STEP")});
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    if (!p.positional().isEmpty())
        return p.usageError(QStringLiteral("`ct run` takes no arguments (got %1)").arg(p.positional().join(QLatin1Char(' '))));
    if (!p.isSet(QStringLiteral("once")))
        return p.usageError(QStringLiteral("the long-running loop is not built yet; run one pass with `ct run --once --until data`"));
    if (p.value(QStringLiteral("until")) != QLatin1String("data"))
        return p.usageError(QStringLiteral("give --until data: one pass runs as far as the data step so far (the pipeline, gate and canary steps come next)"));

    const bool json = p.json();
    ct::RunOnceOptions options;
    options.until = ct::step::kData;
    options.log = [json](const QString &line) {
        // With --json, stdout holds the one JSON document: the log goes to stderr.
        std::fprintf(json ? stderr : stdout, "ct: %s\n", qPrintable(line));
        std::fflush(json ? stderr : stdout);
    };
    auto root = context.workspaceDir.isEmpty() ? workspace::Workspace::findRoot(workspaceRootFor(context)) : Result<QString>(workspaceRootFor(context));
    if (!root)
        return fail(root.status());
    auto result = ct::runLoopOnce(*root, common::Clock::system(), options);
    if (!result)
        return fail(result.status());
    if (json) {
        QJsonArray recovered;
        for (const auto &i : result->recovered)
            recovered.append(ctIterationJson(i));
        QJsonArray firing;
        for (const auto &f : result->decision.firing)
            firing.append(QJsonObject{{QStringLiteral("kind"), f.kind}, {QStringLiteral("reason"), f.reason}});
        printJson(QJsonObject{{QStringLiteral("recovered"), recovered},
                              {QStringLiteral("started"), result->decision.start},
                              {QStringLiteral("decision"), result->decision.reason},
                              {QStringLiteral("blocked"), ct::blockedName(result->decision.blocked)},
                              {QStringLiteral("blocked_until"), ctIso(result->decision.blockedUntil)},
                              {QStringLiteral("firing"), firing},
                              {QStringLiteral("iteration"), result->iteration ? QJsonValue(ctIterationJson(*result->iteration)) : QJsonValue()},
                              {QStringLiteral("data"), result->data ? QJsonValue(dataJson(*result->data)) : QJsonValue()}});
    }
    return result->failed() ? ExitProblem : ExitOk;
}

} // namespace orrery::cli
