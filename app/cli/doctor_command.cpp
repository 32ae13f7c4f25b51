// orrery-cli doctor: integrity of the database, the audit chain and the cache, and how to recover.
#include "app/cli/cli.h"
#include "app/cli/workspace_job.h"

#include "core/audit/audit_log.h"
#include "core/data/cache_check.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"

#include <QJsonArray>
#include <QJsonObject>

namespace orrery::cli {
namespace {

struct Check {
    QString name;
    bool ok = true;
    QStringList findings;
    QString recovery;
    QJsonObject toJson() const
    {
        return {{QStringLiteral("name"), name},
                {QStringLiteral("ok"), ok},
                {QStringLiteral("findings"), QJsonArray::fromStringList(findings)},
                {QStringLiteral("recovery"), recovery}};
    }
};

Check checkDatabase(const QString &root, std::unique_ptr<store::Database> *opened)
{
    Check check;
    check.name = QStringLiteral("database");
    auto db = store::Database::open(workspace::Workspace::databasePathFor(root), {});
    if (!db) {
        check.ok = false;
        check.findings << db.status().message();
        check.recovery = db.status().code() == ErrorCode::Unsupported
            ? QStringLiteral("Install a newer Orrery; this one must not change the database.")
            : QStringLiteral("Restore .orrery/orrery.db from a backup. Or keep the damaged file for later "
                             "(mv .orrery/orrery.db .orrery/orrery.db.damaged) and run `orrery-cli init` for an empty "
                             "database: git history, dvc files and the cache are not affected, but run history, the "
                             "registry and the audit log start empty.");
        return check;
    }
    auto problems = (*db)->integrityCheck();
    if (!problems) {
        check.ok = false;
        check.findings << problems.status().message();
    } else if (!problems->isEmpty()) {
        check.ok = false;
        check.findings = *problems;
    }
    if (!check.ok)
        check.recovery = QStringLiteral("Copy the data out with `sqlite3 .orrery/orrery.db .recover | sqlite3 recovered.db`, "
                                        "check it, then replace .orrery/orrery.db with it while no Orrery process runs.");
    *opened = std::move(*db);
    return check;
}

Check checkAudit(store::Database *db)
{
    Check check;
    check.name = QStringLiteral("audit chain");
    if (!db) {
        check.ok = false;
        check.findings << QStringLiteral("not checked: the database cannot be opened");
        return check;
    }
    audit::AuditLog log(*db);
    auto report = log.verify();
    if (!report) {
        check.ok = false;
        check.findings << report.status().message();
    } else if (!report->ok) {
        check.ok = false;
        check.findings << QStringLiteral("broken at entry %1: %2").arg(report->firstBrokenSeq).arg(report->problem);
        check.recovery = QStringLiteral("The audit log was changed outside Orrery. It cannot be repaired: keep a copy of "
                                        ".orrery/orrery.db as evidence, find out who changed it, and restore the "
                                        "database from a backup taken before entry %1.").arg(report->firstBrokenSeq);
    } else {
        check.findings << QStringLiteral("%1 entries, chain intact").arg(report->entriesChecked);
    }
    return check;
}

Check checkCacheFolder(const QString &root)
{
    Check check;
    check.name = QStringLiteral("cache");
    auto checked = runJob(QStringLiteral("checking the cache"),
                          [&](common::JobContext &job) { return data::checkCache(root + QStringLiteral("/.orrery/cache"), &job); });
    if (!checked) {
        check.ok = false;
        check.findings << checked.status().message();
        return check;
    }
    const data::CacheCheckReport &report = *checked;
    for (const QString &object : report.corruptObjects)
        check.findings << QStringLiteral("%1: its content does not match its hash").arg(object);
    for (const QString &stray : report.strayFiles)
        check.findings << QStringLiteral("%1: not a cache object (left by an interrupted write?)").arg(stray);
    check.ok = report.ok();
    if (!check.ok)
        check.recovery = QStringLiteral("Delete the listed files from .orrery/cache; then re-add the data from its source or "
                                        "pull it from a remote. A corrupt object is never used.");
    else
        check.findings << QStringLiteral("%1 objects, %2 bytes, all match their hashes").arg(report.objectsChecked).arg(report.bytesChecked);
    return check;
}

Check checkGit(const QString &root)
{
    Check check;
    check.name = QStringLiteral("git repository");
    auto repo = vcs::Repository::discover(root);
    if (!repo) {
        check.ok = false;
        check.findings << repo.status().message();
        check.recovery = QStringLiteral("Run `git init` in the workspace (or `orrery-cli init`), then commit dvc.yaml, params.yaml and the .dvc files.");
    } else {
        const QString branch = (*repo)->currentBranch();
        check.findings << QStringLiteral("branch %1%2").arg(branch.isEmpty() ? QStringLiteral("(detached)") : branch,
                                                             (*repo)->isHeadUnborn() ? QStringLiteral(", no commits yet") : QString());
    }
    return check;
}

} // namespace

int runDoctor(const Context &context)
{
    CommandParser p(context, QStringLiteral("doctor"),
                    QStringLiteral("Check the workspace: the database (integrity_check), the audit chain, the cache objects\n"
                                   "and the git repository; say how to recover from what is found.\n"
                                   "Exit status 1 when a check finds a problem."));
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (!p.positional().isEmpty())
        return p.usageError(QStringLiteral("doctor takes no arguments; use --workspace DIR"));

    const QString start = workspaceRootFor(context);
    auto root = context.workspaceDir.isEmpty() ? workspace::Workspace::findRoot(start) : Result<QString>(start);
    if (!root)
        return fail(root.status());
    if (!workspace::Workspace::isWorkspace(*root))
        return fail(QStringLiteral("%1 is not an Orrery workspace (no .orrery/orrery.db)").arg(*root));

    std::unique_ptr<store::Database> db;
    QVector<Check> checks;
    checks << checkDatabase(*root, &db);
    checks << checkAudit(db.get());
    checks << checkCacheFolder(*root);
    checks << checkGit(*root);

    bool allOk = true;
    for (const Check &c : checks)
        allOk = allOk && c.ok;
    if (p.json()) {
        QJsonArray array;
        for (const Check &c : checks)
            array.append(c.toJson());
        printJson(QJsonObject{{QStringLiteral("workspace"), *root}, {QStringLiteral("ok"), allOk}, {QStringLiteral("checks"), array}});
    } else {
        out(QStringLiteral("Workspace %1").arg(*root));
        for (const Check &c : checks) {
            out(QStringLiteral("%1 %2").arg(c.ok ? QStringLiteral("  ok     ") : QStringLiteral("  PROBLEM"), c.name));
            for (const QString &f : c.findings)
                out(QStringLiteral("            %1").arg(f));
            if (!c.recovery.isEmpty())
                out(QStringLiteral("            how to recover: %1").arg(c.recovery));
        }
        out(allOk ? QStringLiteral("No problems found.") : QStringLiteral("Problems found; see 'how to recover' above."));
    }
    return allOk ? ExitOk : ExitProblem;
}

} // namespace orrery::cli
