// orrery-cli data gc | push | pull | remote | diff
#include "app/cli/cli.h"
#include "app/cli/data_targets.h"
#include "app/cli/workspace_job.h"

#include "core/audit/audit_log.h"
#include "core/data/data_diff.h"
#include "core/data/data_gc.h"
#include "core/data/data_remote.h"
#include "core/data/data_repository.h"
#include "core/data/dvc_config.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::cli {
namespace {



int transfer(const Context &context, bool push)
{
    const QString name = push ? QStringLiteral("push") : QStringLiteral("pull");
    CommandParser p(context, name,
                    push ? QStringLiteral("Copy the cache objects that the .dvc files need to a folder remote (DVC's layout).")
                         : QStringLiteral("Fetch the objects the .dvc files need from a folder remote, verify them, and check the data out."));
    addDataTargetsArgument(p);
    p.parser().addOption({QStringLiteral("remote"), QStringLiteral("The remote's name (default: core.remote in .dvc/config)."), QStringLiteral("NAME")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    auto targets = dataTargets(**ws, p.positional());
    if (!targets)
        return fail(targets.status());
    // A pull rewrites the work tree and adds to the cache: 'workspace'. A push only reads the cache
    // (objects the .dvc files name, which gc keeps) and writes the remote: no lock.
    std::unique_ptr<workspace::WorkspaceLock> lock;
    if (!push) {
        auto l = workspace::WorkspaceLock::acquire((*ws)->root(), QStringLiteral("workspace"), QStringLiteral("data pull"));
        if (!l)
            return fail(l.status());
        lock = std::move(*l);
    }
    data::TransferReport report;
    data::CheckoutReport checkout;
    const Status status = runWorkspaceJob(**ws, QStringLiteral("data ") + name, [&](store::Database &db, common::JobContext &job) -> Status {
        data::DataRepository worker((*ws)->root(), &db);
        ORRERY_ASSIGN_OR_RETURN(auto r,
            push ? data::push(worker, p.value(QStringLiteral("remote")), *targets, &job)
                 : data::fetch(worker, p.value(QStringLiteral("remote")), *targets, &job));
        report = r;
        if (!push && report.missing.isEmpty()) {
            ORRERY_ASSIGN_OR_RETURN(auto c, worker.checkout(*targets, false, &job));
            checkout = c;
        }
        return Status::ok();
    });
    if (!status)
        return fail(status);
    if (!report.transferred.isEmpty())
        recordAudit(**ws, QStringLiteral("data.") + name, report.remote,
              {{QStringLiteral("url"), report.url}, {QStringLiteral("objects"), report.transferred.size()}});
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("remote"), report.remote}, {QStringLiteral("url"), report.url},
                              {QStringLiteral("transferred"), QJsonArray::fromStringList(report.transferred)},
                              {QStringLiteral("already_there"), report.alreadyThere},
                              {QStringLiteral("missing"), QJsonArray::fromStringList(report.missing)},
                              {QStringLiteral("restored"), QJsonArray::fromStringList(checkout.restored)}});
    } else {
        out(QStringLiteral("%1 %2 objects %3 '%4' (%5); %6 already there")
                .arg(push ? QStringLiteral("pushed") : QStringLiteral("pulled"))
                .arg(report.transferred.size())
                .arg(push ? QStringLiteral("to") : QStringLiteral("from"), report.remote, report.url)
                .arg(report.alreadyThere));
        for (const QString &f : checkout.restored)
            out(QStringLiteral("restored  %1").arg(f));
        for (const QString &m : report.missing)
            std::fprintf(stderr, "missing on both sides: %s\n", qPrintable(m));
    }
    return report.missing.isEmpty() ? ExitOk : ExitProblem;
}

} // namespace

int runDataPush(const Context &context) { return transfer(context, true); }
int runDataPull(const Context &context) { return transfer(context, false); }

int runDataGc(const Context &context)
{
    CommandParser p(context, QStringLiteral("gc"),
                    QStringLiteral("Free cache objects nothing refers to. Kept: anything named by a .dvc file or dvc.lock in the\n"
                                   "work tree or in any commit on any branch or tag, and anything a run or registered model uses.\n"
                                   "Without --force this is a dry run that lists what would be freed."));
    p.parser().addOption({QStringLiteral("force"), QStringLiteral("Delete the unused objects (after the same checks).")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    const bool force = p.isSet(QStringLiteral("force"));
    // Deleting excludes every writer of the cache: 'workspace' (data add, checkout, pull, merge)
    // and 'pipeline' (a run stores its outputs before dvc.lock names them). A dry run changes
    // nothing and takes no lock, as `run --dry-run` does.
    std::unique_ptr<workspace::WorkspaceLock> lock, pipelineLock;
    if (force) {
        auto l = workspace::WorkspaceLock::acquire((*ws)->root(), QStringLiteral("workspace"), QStringLiteral("data gc"));
        if (!l)
            return fail(l.status());
        lock = std::move(*l);
        auto pl = workspace::WorkspaceLock::acquire((*ws)->root(), QStringLiteral("pipeline"), QStringLiteral("data gc"));
        if (!pl)
            return fail(pl.status());
        pipelineLock = std::move(*pl);
    }
    auto collected = runWorkspaceJob(**ws, QStringLiteral("data gc"), [&](store::Database &db, common::JobContext &job) -> Result<data::GcReport> {
        data::DataRepository worker((*ws)->root(), &db);
        auto git = vcs::Repository::discover((*ws)->root());
        if (!git && git.status().code() != ErrorCode::NotFound)
            return git.status();
        return data::collectGarbage(worker, git ? git->get() : nullptr, &db, force, &job);
    });
    if (!collected)
        return fail(collected.status());
    const data::GcReport &report = *collected;
    if (report.deleted && !report.unused.isEmpty())
        recordAudit(**ws, QStringLiteral("data.gc"), (*ws)->root(),
              {{QStringLiteral("objects"), report.unused.size()}, {QStringLiteral("bytes"), report.unusedBytes}});
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("kept"), report.objectsKept}, {QStringLiteral("unused"), QJsonArray::fromStringList(report.unused)},
                              {QStringLiteral("unused_bytes"), report.unusedBytes}, {QStringLiteral("deleted"), report.deleted},
                              {QStringLiteral("skipped_files"), QJsonArray::fromStringList(report.skippedFiles)}});
        return ExitOk;
    }
    for (const QString &f : report.skippedFiles)
        std::fprintf(stderr, "warning: could not read %s in git history; objects it names (if any) are not protected\n", qPrintable(f));
    for (const QString &h : report.unused)
        out(QStringLiteral("%1 %2").arg(report.deleted ? QStringLiteral("freed    ") : QStringLiteral("unused   "), h));
    out(QStringLiteral("%1 objects kept; %2 unused (%3 bytes)%4")
            .arg(report.objectsKept).arg(report.unused.size()).arg(report.unusedBytes)
            .arg(report.deleted ? QStringLiteral(", deleted") : report.unused.isEmpty() ? QString() : QStringLiteral(". Run with --force to delete them.")));
    return ExitOk;
}

int runDataRemote(const Context &context)
{
    CommandParser p(context, QStringLiteral("remote"),
                    QStringLiteral("Folder remotes in .dvc/config (DVC's syntax).\n  add NAME FOLDER [--default]\n  list"));
    p.parser().addPositionalArgument(QStringLiteral("ACTION"), QStringLiteral("add or list"));
    p.parser().addOption({QStringLiteral("default"), QStringLiteral("Make it the default remote (core.remote).")});
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    auto config = data::DvcConfig::load((*ws)->root());
    if (!config)
        return fail(config.status());
    const QStringList args = p.positional();
    if (args.value(0) == QLatin1String("list") && args.size() == 1) {
        QJsonArray array;
        for (const QString &name : config->remoteNames()) {
            array.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("url"), config->remoteUrl(name)},
                                     {QStringLiteral("default"), name == config->defaultRemote()}});
            if (!p.json())
                out(QStringLiteral("%1%2  %3").arg(name, name == config->defaultRemote() ? QStringLiteral(" (default)") : QString(), config->remoteUrl(name)));
        }
        if (p.json())
            printJson(array);
        return ExitOk;
    }
    if (args.value(0) == QLatin1String("add") && args.size() == 3) {
        const QString name = args[1];
        if (name.isEmpty() || name.contains(QLatin1Char('"')) || name.contains(QLatin1Char(']')))
            return p.usageError(QStringLiteral("remote name '%1' cannot contain quotes or brackets").arg(name));
        const QString url = QDir::cleanPath(QDir::current().absoluteFilePath(args[2]));
        config->setValue(data::DvcConfig::remoteSection(name), QStringLiteral("url"), url);
        if (p.isSet(QStringLiteral("default")) || config->defaultRemote().isEmpty())
            config->setValue(QStringLiteral("core"), QStringLiteral("remote"), name);
        if (const Status s = config->save((*ws)->root()); !s)
            return fail(s);
        recordAudit(**ws, QStringLiteral("data.remote.add"), name, {{QStringLiteral("url"), url}});
        out(QStringLiteral("remote '%1' → %2%3").arg(name, url, config->defaultRemote() == name ? QStringLiteral(" (default)") : QString()));
        return ExitOk;
    }
    return p.usageError(QStringLiteral("expected `remote add NAME FOLDER [--default]` or `remote list`"));
}

int runDataDiff(const Context &context)
{
    CommandParser p(context, QStringLiteral("diff"),
                    QStringLiteral("Data files added, removed and modified between two revisions (git revisions, or\n"
                                   "'workspace' for the .dvc files on disk). Default: HEAD against the workspace."));
    p.parser().addPositionalArgument(QStringLiteral("REV_A"), QStringLiteral("Default HEAD."), QStringLiteral("[REV_A"));
    p.parser().addPositionalArgument(QStringLiteral("REV_B"), QStringLiteral("Default: workspace."), QStringLiteral("[REV_B]]"));
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (p.positional().size() > 2)
        return p.usageError(QStringLiteral("give at most two revisions"));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    auto git = vcs::Repository::discover((*ws)->root());
    if (!git)
        return fail(git.status());
    data::DataRepository repo((*ws)->root(), &(*ws)->database());
    const QString from = p.positional().value(0, QStringLiteral("HEAD"));
    const QString to = p.positional().value(1, data::kWorkspaceRevision);
    auto diff = runJob(QStringLiteral("data diff"), [&](common::JobContext &job) -> Result<data::DataDiff> {
        ORRERY_ASSIGN_OR_RETURN(auto gitHere, vcs::Repository::discover((*ws)->root())); // libgit2 handles stay on one thread
        data::DataRepository worker((*ws)->root(), nullptr);
        return data::diffRevisions(worker, *gitHere, from, to, true, &job);
    });
    if (!diff)
        return fail(diff.status());
    if (p.json()) {
        QJsonArray changes;
        for (const auto &c : diff->changes) {
            QJsonObject o{{QStringLiteral("path"), c.path}, {QStringLiteral("change"), QString::fromLatin1(data::changeKindName(c.kind))},
                          {QStringLiteral("old_md5"), c.oldHash}, {QStringLiteral("new_md5"), c.newHash},
                          {QStringLiteral("old_size"), c.oldSize}, {QStringLiteral("new_size"), c.newSize}};
            if (c.table)
                o.insert(QStringLiteral("table"), c.table->toJson());
            changes.append(o);
        }
        printJson(QJsonObject{{QStringLiteral("from"), from}, {QStringLiteral("to"), to}, {QStringLiteral("changes"), changes}});
        return ExitOk;
    }
    if (diff->changes.isEmpty())
        out(QStringLiteral("No data changed between %1 and %2.").arg(from, to));
    for (const auto &c : diff->changes) {
        out(QStringLiteral("%1  %2").arg(QString::fromLatin1(data::changeKindName(c.kind)), -9).arg(c.path));
        if (!c.table)
            continue;
        const qint64 delta = c.table->rowsAfter - c.table->rowsBefore;
        out(QStringLiteral("           rows %1 → %2 (%3%4)").arg(c.table->rowsBefore).arg(c.table->rowsAfter)
                .arg(delta >= 0 ? QStringLiteral("+") : QString()).arg(delta));
        for (const auto &col : c.table->columns) {
            if (col.kind == data::ColumnChange::Unchanged)
                continue;
            out(QStringLiteral("           %1 %2 %3").arg(QString::fromLatin1(data::columnChangeName(col.kind)), -9).arg(col.name, -24)
                    .arg(col.what.join(QStringLiteral("; "))));
        }
    }
    return ExitOk;
}

} // namespace orrery::cli
