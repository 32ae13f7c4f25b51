// orrery-cli ct check [--next N] [--json]: the workspace's ct.yaml checked whole (against the
// workspace: its .dvc files, its alerts.yaml), its triggers and the schedule's next runs.
// Exit 2 with every error (file:line:column, what, the fix) on stderr.
#include "app/cli/ct_command.h"

#include "core/common/clock.h"
#include "core/common/duration.h"
#include "core/ct/ct_config.h"
#include "core/monitor/alert_rules.h"
#include "core/workspace/workspace.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>

#include <cstdio>

namespace orrery::cli {
namespace {

const QString kDescription = QStringLiteral(
    "Check the workspace's ct.yaml, the continuous-training loop's configuration, and show its triggers\n"
    "and the schedule's next runs (UTC). An example:\n\n"
    "  model: fraud                        # the registered model the loop retrains\n"
    "  endpoint: fraud                     # the endpoint serving it: prediction log, feedback, canary\n"
    "  dataset:\n"
    "    path: data/transactions.csv       # the pipeline's versioned training data (path.dvc)\n"
    "    label: is_fraud                   # its label column, filled from the delayed labels\n"
    "    columns: {timestamp: $time, transaction_id: $request, customer_id: unknown}\n"
    "    policy: recent                    # all | recent (window: 7d) | sample (rows: N, seed: S)\n"
    "    window: 7d\n"
    "  triggers:\n"
    "    schedule: \"0 3 * * 1-5\"           # cron: minute hour day-of-month month day-of-week\n"
    "    data: [data/transactions.csv.dvc]  # a .dvc file's md5 changes, or new files in a folder\n"
    "    alert: [FeatureDrift, ModelAccuracyLow]   # alerts of alerts.yaml firing for the endpoint\n"
    "    manual: true                      # orrery-cli ct trigger\n"
    "  policies: {cooldown: 1h, max_per_day: 6, require_approval: false}\n"
    "  canary: {steps: [5, 25, 50, 100], pause: 1m, analysis: \"error_rate <= stable + 0.01\"}");

QString fillText(const ct::ColumnFill &f)
{
    switch (f.kind) {
    case ct::ColumnFill::Kind::Time: return QStringLiteral("%1 ← the prediction's time").arg(f.column);
    case ct::ColumnFill::Kind::Request: return QStringLiteral("%1 ← the request id").arg(f.column);
    case ct::ColumnFill::Kind::Prediction: return QStringLiteral("%1 ← P<prediction>-<row>").arg(f.column);
    case ct::ColumnFill::Kind::Constant: return QStringLiteral("%1 ← \"%2\"").arg(f.column, f.value);
    }
    return QString();
}

} // namespace

int runCtCheck(const Context &context)
{
    CommandParser p(context, QStringLiteral("ct check"), kDescription);
    p.addJsonOption();
    p.parser().addOption({QStringLiteral("next"), QStringLiteral("How many of the schedule's next runs to show (default 5)."), QStringLiteral("N")});
    int code = ExitOk;
    if (!p.parse(&code))
        return code;
    if (!p.positional().isEmpty())
        return p.usageError(QStringLiteral("`ct check` checks the workspace's ct.yaml and takes no arguments (use --workspace DIR for another workspace)"));
    bool ok = true;
    const int next = p.isSet(QStringLiteral("next")) ? p.value(QStringLiteral("next")).toInt(&ok) : 5;
    if (!ok || next < 0 || next > 1000)
        return p.usageError(QStringLiteral("--next takes a whole number from 0 to 1000"));
    auto found = context.workspaceDir.isEmpty() ? workspace::Workspace::findRoot(workspaceRootFor(context)) : Result<QString>(workspaceRootFor(context));
    if (!found)
        return fail(found.status());
    const QString root = *found;
    const QString path = root + QLatin1Char('/') + ct::kCtFileName;
    QFile file(path);
    if (!file.exists())
        return fail(ct::loadCtConfig(root).status());
    if (!file.open(QIODevice::ReadOnly))
        return fail(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    auto alerts = monitor::loadAlertConfig(root + QLatin1Char('/') + monitor::kAlertsFileName);
    if (!alerts)
        return fail(alerts.status().withContext(QStringLiteral("ct.yaml's alert trigger names alerts.yaml's rules, and alerts.yaml does not check")));
    ct::CtCheckContext checkContext;
    checkContext.root = root;
    checkContext.checkAlerts = true;
    for (const auto &rule : alerts->rules)
        checkContext.alertNames << rule.name;
    const ct::CtConfigCheck checked = ct::checkCtConfig(file.readAll(), path, checkContext);
    if (!checked.errors.isEmpty()) {
        if (p.json()) {
            printJson(QJsonObject{{QStringLiteral("file"), path}, {QStringLiteral("ok"), false}, {QStringLiteral("errors"), QJsonArray::fromStringList(checked.errors)}});
        } else {
            for (const QString &e : checked.errors)
                std::fprintf(stderr, "%s\n", qPrintable(e));
            std::fprintf(stderr, "orrery-cli: %lld problem%s in %s; the loop does not start until it checks\n", static_cast<long long>(checked.errors.size()),
                         checked.errors.size() == 1 ? "" : "s", qPrintable(path));
        }
        return ExitError;
    }
    const ct::CtConfig &c = checked.config;
    if (p.json()) {
        QJsonObject o = ctConfigJson(c, next);
        o.insert(QStringLiteral("file"), path);
        o.insert(QStringLiteral("ok"), true);
        printJson(o);
        return ExitOk;
    }
    out(QStringLiteral("%1: ok — retrains %2 (endpoint %3) on %4, label %5, production rows: %6")
            .arg(path, c.model, c.endpoint, c.dataset.path, c.dataset.label, c.dataset.policyText()));
    if (!c.dataset.columns.isEmpty()) {
        QStringList fills;
        for (const auto &f : c.dataset.columns)
            fills << fillText(f);
        out(QStringLiteral("  columns no input carries: %1").arg(fills.join(QStringLiteral(", "))));
    }
    out(QStringLiteral("Triggers:"));
    if (c.triggers.schedule) {
        QStringList runs;
        for (const QDateTime &t : c.triggers.schedule->nextRuns(common::Clock::system().now(), next))
            runs << common::toIsoUtc(t);
        out(QStringLiteral("  schedule  \"%1\" (UTC)%2").arg(c.triggers.schedule->expression(), runs.isEmpty() ? QString() : QStringLiteral(", next runs:")));
        for (const QString &r : runs)
            out(QStringLiteral("              %1").arg(r));
    }
    QStringList watched = c.triggers.watchedFiles;
    for (const QString &f : c.triggers.watchedFolders)
        watched << f + QLatin1Char('/');
    if (!watched.isEmpty())
        out(QStringLiteral("  data      %1").arg(watched.join(QStringLiteral(", "))));
    if (!c.triggers.alerts.isEmpty())
        out(QStringLiteral("  alert     %1 (%2)").arg(c.triggers.alerts.join(QStringLiteral(", ")),
                                                       alerts->source.isEmpty() ? QStringLiteral("the default rules") : QStringLiteral("alerts.yaml")));
    out(c.triggers.manual ? QStringLiteral("  manual    orrery-cli ct trigger") : QStringLiteral("  manual    off"));
    out(QStringLiteral("Policies: cool-down %1, at most %2 a day (UTC), %3%4")
            .arg(common::durationText(c.policies.cooldownMs))
            .arg(c.policies.maxPerDay)
            .arg(c.policies.requireApproval ? QStringLiteral("a person approves before the canary") : QStringLiteral("no approval needed"),
                 c.policies.minRows > 0 ? QStringLiteral(", waits for %1 new labelled production rows").arg(c.policies.minRows) : QString()));
    out(QStringLiteral("Gate: challenger against champion on %1 of the newest labelled production rows (kept out of training), %2 at least %3 better, "
                       "%4 rows at least (fewer: not rolled out)")
            .arg(c.gate.holdout).arg(c.gate.metric).arg(c.gate.minImprovement).arg(c.gate.minRows));
    QStringList steps;
    for (int s : c.canary.steps)
        steps << QString::number(s);
    out(QStringLiteral("Canary: steps %1 %, pause %2, analysis \"%3\", at least %4 requests per step, %5 inconclusive pauses at most")
            .arg(steps.join(QLatin1Char(',')), common::durationText(c.canary.pauseMs), c.canary.analysis)
            .arg(c.canary.minRequests)
            .arg(c.canary.maxInconclusive));
    return ExitOk;
}

} // namespace orrery::cli
