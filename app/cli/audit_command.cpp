// orrery-cli audit list | verify
#include "app/cli/cli.h"

#include "core/audit/audit_log.h"
#include "core/common/clock.h"
#include "core/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::cli {
namespace {

QJsonObject entryJson(const audit::AuditEntry &e)
{
    return {{QStringLiteral("seq"), QString::number(e.seq)},
            {QStringLiteral("time"), common::toIsoUtc(e.time)},
            {QStringLiteral("actor"), e.actor},
            {QStringLiteral("action"), e.action},
            {QStringLiteral("target"), e.target},
            {QStringLiteral("reason"), e.reason},
            {QStringLiteral("details"), QJsonDocument::fromJson(e.details.toUtf8()).object()},
            {QStringLiteral("hash"), e.hash}};
}

int list(const Context &context, CommandParser &p)
{
    bool ok = false;
    const int limit = p.value(QStringLiteral("limit")).toInt(&ok);
    if (!ok || limit <= 0)
        return p.usageError(QStringLiteral("--limit must be a positive whole number, got '%1'").arg(p.value(QStringLiteral("limit"))));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    auto entries = (*ws)->audit().list(limit);
    if (!entries)
        return fail(entries.status());
    if (p.json()) {
        QJsonArray array;
        for (const auto &e : *entries)
            array.append(entryJson(e));
        printJson(array);
        return ExitOk;
    }
    if (entries->isEmpty()) {
        out(QStringLiteral("The audit log is empty."));
        return ExitOk;
    }
    out(QStringLiteral("%1  %2  %3  %4  %5").arg(QStringLiteral("SEQ"), -6).arg(QStringLiteral("TIME (UTC)"), -24)
            .arg(QStringLiteral("WHO"), -10).arg(QStringLiteral("WHAT"), -20).arg(QStringLiteral("TARGET / WHY")));
    for (const auto &e : *entries) {
        QString target = e.target;
        if (!e.reason.isEmpty())
            target += QStringLiteral(" — ") + e.reason;
        out(QStringLiteral("%1  %2  %3  %4  %5").arg(e.seq, -6).arg(common::toIsoUtc(e.time), -24).arg(e.actor, -10)
                .arg(e.action, -20).arg(target));
    }
    return ExitOk;
}

int verify(const Context &context, CommandParser &p)
{
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    auto report = (*ws)->audit().verify();
    if (!report)
        return fail(report.status());
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("ok"), report->ok},
                              {QStringLiteral("entries_checked"), report->entriesChecked},
                              {QStringLiteral("first_broken_seq"), report->ok ? QJsonValue() : QJsonValue(QString::number(report->firstBrokenSeq))},
                              {QStringLiteral("problem"), report->problem}});
    } else if (report->ok) {
        out(QStringLiteral("The audit chain is intact: %1 entries verified.").arg(report->entriesChecked));
    } else {
        std::fprintf(stderr, "audit chain broken at entry %lld: %s\n", report->firstBrokenSeq, report->problem.toUtf8().constData());
    }
    return report->ok ? ExitOk : ExitProblem;
}

} // namespace

int runAudit(const Context &context)
{
    CommandParser p(context, QStringLiteral("audit"),
                    QStringLiteral("The workspace's append-only, hash-chained audit log.\n"
                                   "  list     the newest entries (who, when, what, why)\n"
                                   "  verify   check the chain; exit status 1 and the first broken entry when it was altered"));
    p.parser().addPositionalArgument(QStringLiteral("SUBCOMMAND"), QStringLiteral("list or verify"));
    p.parser().addOption({QStringLiteral("limit"), QStringLiteral("How many entries list shows (default 20)."), QStringLiteral("N"), QStringLiteral("20")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    const QStringList args = p.positional();
    if (args.size() != 1)
        return p.usageError(QStringLiteral("give one subcommand: list or verify"));
    if (args.first() == QLatin1String("list"))
        return list(context, p);
    if (args.first() == QLatin1String("verify"))
        return verify(context, p);
    return p.usageError(QStringLiteral("unknown subcommand '%1' (expected list or verify)").arg(args.first()));
}

} // namespace orrery::cli
