// How the ct commands write iterations, steps and ct.yaml (text and --json); see ct_command.h.
#include "app/cli/ct_command.h"

#include "core/common/clock.h"
#include "core/common/duration.h"
#include "core/ct/ct_config.h"
#include "core/ct/iteration.h"

#include <QDateTime>
#include <QJsonArray>

namespace orrery::cli {

QString ctIso(qint64 ms) { return ms > 0 ? common::toIsoUtc(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC)) : QString(); }

QString ctIterationStatus(const ct::Iteration &i)
{
    if (!i.active())
        return i.outcome;
    return QStringLiteral("%1 (step %2)").arg(ct::iterationStateName(i.state), i.step.isEmpty() ? QStringLiteral("-") : i.step);
}

QJsonObject ctIterationJson(const ct::Iteration &i)
{
    auto orNull = [](const QString &s) { return s.isEmpty() ? QJsonValue() : QJsonValue(s); };
    return {{QStringLiteral("id"), double(i.id)},
            {QStringLiteral("trigger"), i.triggerKind},
            {QStringLiteral("trigger_detail"), i.triggerDetail},
            {QStringLiteral("state"), ct::iterationStateName(i.state)},
            {QStringLiteral("step"), orNull(i.step)},
            {QStringLiteral("outcome"), orNull(i.outcome)},
            {QStringLiteral("reason"), i.reason},
            {QStringLiteral("model"), i.model},
            {QStringLiteral("model_version"), i.modelVersion ? QJsonValue(i.modelVersion) : QJsonValue()},
            {QStringLiteral("champion_version"), i.championVersion ? QJsonValue(i.championVersion) : QJsonValue()},
            {QStringLiteral("deploy_revision"), i.deployRevision ? QJsonValue(double(i.deployRevision)) : QJsonValue()},
            {QStringLiteral("endpoint"), i.endpoint},
            {QStringLiteral("pipeline_run"), orNull(i.pipelineRun)},
            {QStringLiteral("data_version"), orNull(i.dataVersion)},
            {QStringLiteral("data_commit"), orNull(i.dataCommit)},
            {QStringLiteral("feedback_through"), double(i.rowsThrough)},
            {QStringLiteral("branch"), orNull(i.branch)},
            {QStringLiteral("decided_by"), orNull(i.decidedBy)},
            {QStringLiteral("pid"), i.ownerPid ? QJsonValue(double(i.ownerPid)) : QJsonValue()},
            {QStringLiteral("host"), orNull(i.ownerHost)},
            {QStringLiteral("created"), ctIso(i.created)},
            {QStringLiteral("updated"), ctIso(i.updated)},
            {QStringLiteral("finished"), i.finished ? QJsonValue(ctIso(i.finished)) : QJsonValue()}};
}

QJsonObject ctStepJson(const ct::IterationStep &s)
{
    return {{QStringLiteral("name"), s.name},
            {QStringLiteral("state"), s.state},
            {QStringLiteral("started"), ctIso(s.started)},
            {QStringLiteral("finished"), s.finished ? QJsonValue(ctIso(s.finished)) : QJsonValue()},
            {QStringLiteral("reason"), s.reason},
            {QStringLiteral("detail"), s.detail}};
}

QJsonObject ctConfigJson(const ct::CtConfig &c, int nextRuns)
{
    QJsonObject schedule;
    if (c.triggers.schedule) {
        QJsonArray runs;
        for (const QDateTime &t : c.triggers.schedule->nextRuns(common::Clock::system().now(), nextRuns))
            runs.append(common::toIsoUtc(t));
        schedule = {{QStringLiteral("cron"), c.triggers.schedule->expression()}, {QStringLiteral("timezone"), QStringLiteral("UTC")}, {QStringLiteral("next_runs"), runs}};
    }
    QJsonObject columns;
    for (const ct::ColumnFill &f : c.dataset.columns) {
        switch (f.kind) {
        case ct::ColumnFill::Kind::Time: columns.insert(f.column, QStringLiteral("$time")); break;
        case ct::ColumnFill::Kind::Request: columns.insert(f.column, QStringLiteral("$request")); break;
        case ct::ColumnFill::Kind::Prediction: columns.insert(f.column, QStringLiteral("$prediction")); break;
        case ct::ColumnFill::Kind::Constant: columns.insert(f.column, f.value); break;
        }
    }
    QJsonArray steps;
    for (int s : c.canary.steps)
        steps.append(s);
    return {{QStringLiteral("model"), c.model},
            {QStringLiteral("endpoint"), c.endpoint},
            {QStringLiteral("dataset"), QJsonObject{{QStringLiteral("path"), c.dataset.path},
                                                    {QStringLiteral("label"), c.dataset.label},
                                                    {QStringLiteral("columns"), columns},
                                                    {QStringLiteral("policy"), ct::dataPolicyName(c.dataset.policy)},
                                                    {QStringLiteral("policy_text"), c.dataset.policyText()}}},
            {QStringLiteral("triggers"), QJsonObject{{QStringLiteral("schedule"), c.triggers.schedule ? QJsonValue(schedule) : QJsonValue()},
                                                     {QStringLiteral("data"), QJsonArray::fromStringList(c.triggers.watchedFiles)},
                                                     {QStringLiteral("data_folders"), QJsonArray::fromStringList(c.triggers.watchedFolders)},
                                                     {QStringLiteral("alert"), QJsonArray::fromStringList(c.triggers.alerts)},
                                                     {QStringLiteral("manual"), c.triggers.manual}}},
            {QStringLiteral("policies"), QJsonObject{{QStringLiteral("cooldown"), common::durationText(c.policies.cooldownMs)},
                                                     {QStringLiteral("max_per_day"), c.policies.maxPerDay},
                                                     {QStringLiteral("require_approval"), c.policies.requireApproval},
                                                     {QStringLiteral("min_rows"), double(c.policies.minRows)}}},
            {QStringLiteral("gate"), QJsonObject{{QStringLiteral("metric"), c.gate.metric},
                                                 {QStringLiteral("min_improvement"), c.gate.minImprovement},
                                                 {QStringLiteral("holdout"), c.gate.holdout},
                                                 {QStringLiteral("min_rows"), c.gate.minRows}}},
            {QStringLiteral("canary"), QJsonObject{{QStringLiteral("steps"), steps},
                                                   {QStringLiteral("pause"), common::durationText(c.canary.pauseMs)},
                                                   {QStringLiteral("analysis"), c.canary.analysis},
                                                   {QStringLiteral("min_requests"), c.canary.minRequests},
                                                   {QStringLiteral("max_inconclusive"), c.canary.maxInconclusive}}}};
}

} // namespace orrery::cli
