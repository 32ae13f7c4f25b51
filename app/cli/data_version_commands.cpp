// orrery-cli data add | status | checkout: data versions in DVC's format.
#include "app/cli/cli.h"
#include "app/cli/data_targets.h"
#include "app/cli/workspace_job.h"

#include "core/audit/audit_log.h"
#include "core/data/data_repository.h"
#include "core/store/database.h"
#include "core/workspace/workspace.h"
#include "core/workspace/workspace_lock.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::cli {
namespace {


QString humanSize(qint64 bytes)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
    double v = double(bytes);
    int u = 0;
    while (v >= 1024 && u < 4) {
        v /= 1024;
        ++u;
    }
    return u == 0 ? QStringLiteral("%1 B").arg(bytes) : QStringLiteral("%1 %2").arg(v, 0, 'f', 1).arg(QLatin1String(units[u]));
}


} // namespace

int runDataAdd(const Context &context)
{
    CommandParser p(context, QStringLiteral("add"),
                    QStringLiteral("Track files or folders by content: hash them (in parallel), store them in the cache and\n"
                                   "write PATH.dvc (DVC 3 format) beside each. Commit the .dvc files to git."));
    p.parser().addPositionalArgument(QStringLiteral("PATH"), QStringLiteral("Files or folders inside the workspace."), QStringLiteral("PATH…"));
    p.addJsonOption();
    int code = 0;
    if (!p.parse(&code))
        return code;
    if (p.positional().isEmpty())
        return p.usageError(QStringLiteral("give at least one file or folder to add"));
    auto ws = openWorkspace(context);
    if (!ws)
        return fail(ws.status());
    auto paths = dataTargets(**ws, p.positional());
    if (!paths)
        return fail(paths.status());
    // Adding stores objects in the cache before the .dvc files name them: `data gc --force` (which
    // takes this lock too) must not run in between, or it frees what was just stored.
    auto lock = workspace::WorkspaceLock::acquire((*ws)->root(), QStringLiteral("workspace"), QStringLiteral("data add"));
    if (!lock)
        return fail(lock.status());

    auto added = runWorkspaceJob(**ws, QStringLiteral("data add"), [&](store::Database &db, common::JobContext &job) {
        return data::DataRepository((*ws)->root(), &db).add(*paths, &job);
    });
    if (!added)
        return fail(added.status());
    const data::AddReport &report = *added;
    QJsonArray array;
    for (const auto &a : report.added) {
        array.append(QJsonObject{{QStringLiteral("path"), a.path}, {QStringLiteral("dvc_file"), a.dvcFile}, {QStringLiteral("md5"), a.md5},
                                 {QStringLiteral("size"), a.size}, {QStringLiteral("nfiles"), a.nfiles}, {QStringLiteral("changed"), a.changed}});
        if (a.changed)
            recordAudit(**ws, QStringLiteral("data.add"), a.path, array.last().toObject());
    }
    if (p.json()) {
        printJson(array);
        return ExitOk;
    }
    for (const auto &a : report.added)
        out(QStringLiteral("%1 %2 (%3%4) → %5")
                .arg(a.changed ? QStringLiteral("added") : QStringLiteral("unchanged"), a.path, humanSize(a.size),
                     a.nfiles >= 0 ? QStringLiteral(", %1 files").arg(a.nfiles) : QString(), a.dvcFile));
    out(QStringLiteral("To version it: git add %1 && git commit").arg([&] {
        QStringList files;
        for (const auto &a : report.added)
            files << a.dvcFile;
        return files.join(QLatin1Char(' '));
    }()));
    return ExitOk;
}

int runDataStatus(const Context &context)
{
    CommandParser p(context, QStringLiteral("status"),
                    QStringLiteral("Compare tracked data with its .dvc files: modified, missing, not in cache.\n"
                                   "Unchanged files are not read (a stat cache answers). Exit status 1 when anything differs."));
    addDataTargetsArgument(p);
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
    auto found = runWorkspaceJob(**ws, QStringLiteral("data status"), [&](store::Database &db, common::JobContext &job) {
        return data::DataRepository((*ws)->root(), &db).status(*targets, &job);
    });
    if (!found)
        return fail(found.status());
    const QVector<data::OutStatus> &statuses = *found;

    bool clean = true;
    QJsonArray array;
    for (const auto &s : statuses) {
        clean = clean && s.state == data::OutState::Unchanged && s.inCache;
        array.append(QJsonObject{{QStringLiteral("path"), s.tracked.path},
                                 {QStringLiteral("dvc_file"), s.tracked.dvcFile},
                                 {QStringLiteral("state"), QString::fromLatin1(data::outStateName(s.state))},
                                 {QStringLiteral("in_cache"), s.inCache},
                                 {QStringLiteral("recorded_md5"), s.tracked.out.md5},
                                 {QStringLiteral("current_md5"), s.currentHash},
                                 {QStringLiteral("added"), QJsonArray::fromStringList(s.added)},
                                 {QStringLiteral("removed"), QJsonArray::fromStringList(s.removed)},
                                 {QStringLiteral("modified"), QJsonArray::fromStringList(s.modified)}});
    }
    if (p.json()) {
        printJson(array);
        return clean ? ExitOk : ExitProblem;
    }
    if (statuses.isEmpty())
        out(QStringLiteral("No tracked data. Track some with `orrery-cli data add PATH`."));
    for (const auto &s : statuses) {
        QStringList notes;
        if (s.state != data::OutState::Unchanged)
            notes << QString::fromLatin1(data::outStateName(s.state));
        if (!s.inCache)
            notes << QStringLiteral("not in cache");
        out(QStringLiteral("%1  %2").arg(notes.isEmpty() ? QStringLiteral("unchanged") : notes.join(QStringLiteral(", ")), -22).arg(s.tracked.path));
        for (const QString &f : s.added)
            out(QStringLiteral("    new:      %1").arg(f));
        for (const QString &f : s.modified)
            out(QStringLiteral("    modified: %1").arg(f));
        for (const QString &f : s.removed)
            out(QStringLiteral("    deleted:  %1").arg(f));
    }
    return clean ? ExitOk : ExitProblem;
}

int runDataCheckout(const Context &context)
{
    CommandParser p(context, QStringLiteral("checkout"),
                    QStringLiteral("Make tracked data match its .dvc files, restoring from the cache. Refuses, and names the\n"
                                   "files, when that would overwrite content that is not in the cache; --force discards it."));
    addDataTargetsArgument(p);
    p.parser().addOption({QStringLiteral("force"), QStringLiteral("Overwrite local changes that are not in the cache.")});
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
    auto lock = workspace::WorkspaceLock::acquire((*ws)->root(), QStringLiteral("workspace"), QStringLiteral("data checkout"));
    if (!lock)
        return fail(lock.status());
    const bool force = p.isSet(QStringLiteral("force"));
    auto checkedOut = runWorkspaceJob(**ws, QStringLiteral("data checkout"), [&](store::Database &db, common::JobContext &job) {
        return data::DataRepository((*ws)->root(), &db).checkout(*targets, force, &job);
    });
    if (!checkedOut)
        return fail(checkedOut.status());
    const data::CheckoutReport &report = *checkedOut;
    if (!report.restored.isEmpty() || !report.removed.isEmpty())
        recordAudit(**ws, QStringLiteral("data.checkout"), p.positional().join(QLatin1Char(' ')),
              {{QStringLiteral("restored"), QJsonArray::fromStringList(report.restored)},
               {QStringLiteral("removed"), QJsonArray::fromStringList(report.removed)},
               {QStringLiteral("force"), force}});
    if (p.json()) {
        printJson(QJsonObject{{QStringLiteral("restored"), QJsonArray::fromStringList(report.restored)},
                              {QStringLiteral("removed"), QJsonArray::fromStringList(report.removed)},
                              {QStringLiteral("unchanged"), QJsonArray::fromStringList(report.unchanged)}});
        return ExitOk;
    }
    for (const QString &f : report.restored)
        out(QStringLiteral("restored  %1").arg(f));
    for (const QString &f : report.removed)
        out(QStringLiteral("removed   %1").arg(f));
    if (report.restored.isEmpty() && report.removed.isEmpty())
        out(QStringLiteral("Everything already matches its .dvc file."));
    return ExitOk;
}

} // namespace orrery::cli
