#include "core/ct/data_step.h"

#include "core/common/atomic_file.h"
#include "core/common/clock.h"
#include "core/ct/iteration_store.h"
#include "core/data/csv_reader.h"
#include "core/data/csv_writer.h"
#include "core/data/data_repository.h"
#include "core/data/dvc_file.h"
#include "core/data/workspace_worktree.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "core/vcs/worktree.h"
#include "core/workspace/workspace_lock.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <algorithm>
#include <cmath>

namespace orrery::ct {
namespace {

// Where the workspace sits in its git repository ("" at the top, else "sub/dir/").

// The dataset's one out in the .dvc file at `dvcPath`.
Result<data::DvcOut> datasetOut(const QString &dvcPath, const QString &what)
{
    QFile file(dvcPath);
    if (!file.open(QIODevice::ReadOnly))
        return notFound(QStringLiteral("%1 is not in the committed project (HEAD); commit the .dvc file of the dataset first").arg(what));
    ORRERY_ASSIGN_OR_RETURN(const auto dvc, data::DvcFile::parse(file.readAll(), what));
    if (dvc.outs.size() != 1 || dvc.outs.first().isDirectory())
        return invalidArgument(QStringLiteral("%1 must track one CSV file (it tracks %2); the loop appends production rows to a file").arg(what).arg(dvc.outs.size() == 1 ? QStringLiteral("a folder") : QStringLiteral("%1 outs").arg(dvc.outs.size())));
    return dvc.outs.first();
}

// Streams the cached object `md5` into `out`, checking it is the bytes its name says. Returns
// whether it ended with a line break.
Result<bool> copyVerified(data::ContentCache &cache, const QString &md5, common::AtomicFile &out)
{
    QFile object(cache.objectPath(md5));
    if (!object.open(QIODevice::ReadOnly))
        return notFound(QStringLiteral("the dataset's version %1 is not in the content cache (%2); pull it with `orrery-cli data pull`").arg(md5, cache.objectPath(md5)));
    QCryptographicHash hash(QCryptographicHash::Md5);
    char last = '\n';
    bool any = false;
    QByteArray chunk;
    while (!(chunk = object.read(1 << 20)).isEmpty()) {
        hash.addData(chunk);
        ORRERY_TRY(out.write(chunk));
        last = chunk.back();
        any = true;
    }
    if (object.error() != QFile::NoError)
        return ioError(QStringLiteral("cannot read %1: %2").arg(object.fileName(), object.errorString()));
    if (QString::fromLatin1(hash.result().toHex()) != md5) {
        (void)cache.quarantine(md5);
        return corrupt(QStringLiteral("the cached dataset version %1 does not match its md5 (moved to quarantine); pull it again with `orrery-cli data pull`").arg(md5));
    }
    return !any || last == '\n';
}

// The verified version's rows whose `timeColumn` is at or after `cutoffMs` (a sliding window),
// with its header, into `out`; rows whose time does not read as ISO 8601 are kept (they cannot be
// judged old). Returns the rows left out.
Result<qint64> copyRecentRows(data::ContentCache &cache, const QString &md5, const QString &timeColumn, qint64 cutoffMs, common::AtomicFile &out)
{
    {
        QFile object(cache.objectPath(md5));
        if (!object.open(QIODevice::ReadOnly))
            return notFound(QStringLiteral("the dataset's version %1 is not in the content cache (%2); pull it with `orrery-cli data pull`").arg(md5, cache.objectPath(md5)));
        QCryptographicHash hash(QCryptographicHash::Md5);
        if (!hash.addData(&object) || QString::fromLatin1(hash.result().toHex()) != md5) {
            (void)cache.quarantine(md5);
            return corrupt(QStringLiteral("the cached dataset version %1 does not match its md5 (moved to quarantine); pull it again with `orrery-cli data pull`").arg(md5));
        }
    }
    data::CsvReader reader;
    ORRERY_TRY(reader.open(cache.objectPath(md5)));
    const int column = int(reader.columnNames().indexOf(timeColumn));
    if (column < 0)
        return invalidArgument(QStringLiteral("the dataset has no column '%1' (ct.yaml's dataset.time_column); its columns are: %2")
                                   .arg(timeColumn, reader.columnNames().join(QLatin1Char(','))));
    data::CsvWriterOptions options;
    options.escapeFormulas = false;
    data::CsvWriter writer(&out, options);
    ORRERY_TRY(writer.writeRow(reader.columnNames()));
    qint64 dropped = 0;
    QStringList cells;
    while (reader.next()) {
        const QDateTime t = QDateTime::fromString(QString::fromUtf8(reader.field(column).data(), qsizetype(reader.field(column).size())), Qt::ISODate);
        if (t.isValid() && t.toMSecsSinceEpoch() < cutoffMs) {
            ++dropped;
            continue;
        }
        cells.clear();
        for (const std::string_view &f : reader.fields())
            cells << QString::fromUtf8(f.data(), qsizetype(f.size()));
        ORRERY_TRY(writer.writeRow(cells));
    }
    ORRERY_TRY(reader.status());
    ORRERY_TRY(writer.finish());
    return dropped;
}

Result<QStringList> headerOf(const QString &path)
{
    if (!QFileInfo::exists(path))
        return notFound(QStringLiteral("the dataset's version is not in the content cache (%1); pull it with `orrery-cli data pull`").arg(path));
    data::CsvReader reader;
    ORRERY_TRY(reader.open(path));
    return reader.columnNames();
}

// Keeps the newest labelled rows (by label id: those that came last) out of training, for the
// loop's gate: written to `dir`/gate.csv in the dataset's columns. `rows` keeps the rest, in order.
Status splitGateRows(std::vector<ProductionRow> &rows, const GateConfig &gate, const QStringList &header, const QString &dir, DataStepResult *result)
{
    const size_t keep = size_t(std::floor(double(rows.size()) * gate.holdout));
    if (keep == 0)
        return Status::ok();
    std::vector<qint64> ids;
    ids.reserve(rows.size());
    for (const ProductionRow &r : rows)
        ids.push_back(r.feedbackId);
    std::nth_element(ids.begin(), ids.end() - std::ptrdiff_t(keep), ids.end());
    const qint64 firstHeldOut = *(ids.end() - std::ptrdiff_t(keep)); // label ids are unique per row
    std::vector<ProductionRow> training, held;
    for (ProductionRow &r : rows)
        (r.feedbackId >= firstHeldOut ? held : training).push_back(std::move(r));
    rows = std::move(training);
    qint64 through = 0;
    for (const ProductionRow &r : rows)
        through = qMax(through, r.feedbackId);
    result->trainedThrough = rows.empty() ? firstHeldOut - 1 : through;
    if (!QDir().mkpath(dir))
        return ioError(QStringLiteral("cannot make the folder %1 for the gate's rows").arg(dir));
    result->gateFile = dir + QStringLiteral("/gate.csv");
    common::AtomicFile out(result->gateFile);
    ORRERY_TRY(out.open());
    data::CsvWriterOptions options;
    options.escapeFormulas = false;
    data::CsvWriter writer(&out, options);
    ORRERY_TRY(writer.writeRow(header));
    for (const ProductionRow &r : held)
        ORRERY_TRY(writer.writeRow(r.cells));
    ORRERY_TRY(writer.finish());
    ORRERY_TRY(out.commit());
    result->gateRows = qint64(held.size());
    return Status::ok();
}

} // namespace

QString iterationWorktreeName(qint64 iterationId) { return QStringLiteral("ct-%1").arg(iterationId); }
QString iterationWorktreePath(qint64 iterationId) { return QStringLiteral(".orrery/worktrees/") + iterationWorktreeName(iterationId); }
QString iterationBranch(qint64 iterationId) { return QStringLiteral("orrery/ct/%1").arg(iterationId); }

Result<qint64> newLabelledRows(const QString &root, const CtConfig &config, store::Database &db)
{
    ORRERY_ASSIGN_OR_RETURN(const auto base, datasetOut(root + QLatin1Char('/') + config.dataset.dvcFile(), config.dataset.dvcFile()));
    IterationStore iterations(db);
    ORRERY_ASSIGN_OR_RETURN(const auto builtBefore, iterations.byDataVersion(base.md5));
    ORRERY_ASSIGN_OR_RETURN(auto s, db.prepare(QStringLiteral(
        "SELECT COUNT(*) FROM feedback f JOIN predictions p ON p.id = f.prediction_id "
        "WHERE f.endpoint = ?1 AND p.endpoint = ?1 AND f.id > ?2 AND p.inputs IS NOT NULL")));
    s.bind(1, config.endpoint).bind(2, builtBefore ? builtBefore->rowsThrough : 0);
    if (!s.next())
        return s.status();
    return s.int64(0);
}

QString iterationTempDir(const QString &root, qint64 iterationId)
{
    return root + QStringLiteral("/.orrery/tmp/") + iterationWorktreeName(iterationId);
}

Result<QString> iterationWorkspace(const QString &root, qint64 iterationId)
{
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    ORRERY_ASSIGN_OR_RETURN(const QString prefix, data::workspacePrefix(*repo, root));
    return QDir::cleanPath(root + QLatin1Char('/') + iterationWorktreePath(iterationId) + QLatin1Char('/') + prefix);
}

Status removeIterationWorktree(const QString &root, qint64 iterationId)
{
    QDir(iterationTempDir(root, iterationId)).removeRecursively();
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    return vcs::removeWorktree(*repo, iterationWorktreeName(iterationId), root + QLatin1Char('/') + iterationWorktreePath(iterationId));
}

Result<DataStepResult> buildCurrentData(const QString &root, const CtConfig &config, store::Database &db, const common::Clock &clock, qint64 iterationId)
{
    DataStepResult result;
    ORRERY_ASSIGN_OR_RETURN(auto repo, vcs::Repository::discover(root));
    ORRERY_ASSIGN_OR_RETURN(const QString prefix, data::workspacePrefix(*repo, root));
    // The worktrees' folder never shows in the user's `git status`.
    ORRERY_TRY(vcs::excludeLocally(*repo, QLatin1Char('/') + prefix + QStringLiteral(".orrery/worktrees/")));

    result.worktreeName = iterationWorktreeName(iterationId);
    result.worktree = iterationWorktreePath(iterationId);
    result.branch = iterationBranch(iterationId);
    const QString worktreePath = root + QLatin1Char('/') + result.worktree;
    if (!QFileInfo::exists(worktreePath)) {
        ORRERY_ASSIGN_OR_RETURN(const auto made, vcs::addWorktree(*repo, result.worktreeName, worktreePath, result.branch));
        result.baseCommit = made.commit;
    } else {
        ORRERY_ASSIGN_OR_RETURN(result.baseCommit, vcs::branchCommit(*repo, result.branch));
    }
    // The workspace inside the worktree, and the workspace's own content cache.
    const QString tree = QDir::cleanPath(worktreePath + QLatin1Char('/') + prefix);
    result.workspace = tree;
    const QString cacheRoot = data::DataRepository::cacheDirFor(root);
    data::DataRepository repository(tree, nullptr, cacheRoot);
    // A checkout has the .dvc files, not the data they track (git ignores it): every tracked out
    // comes from the content cache, as `data checkout` (dvc checkout) brings it, for the pipeline.
    ORRERY_TRY(repository.checkout({}, false).status());

    const DatasetConfig &dataset = config.dataset;
    ORRERY_ASSIGN_OR_RETURN(const auto base, datasetOut(tree + QLatin1Char('/') + dataset.dvcFile(), dataset.dvcFile()));
    result.baseMd5 = base.md5;
    result.md5 = base.md5;
    result.size = base.size;

    // Since the last data version: after the labels the loop's own version took in.
    IterationStore iterations(db, &clock);
    ORRERY_ASSIGN_OR_RETURN(const auto builtBefore, iterations.byDataVersion(base.md5));
    result.afterFeedback = builtBefore ? builtBefore->rowsThrough : 0;

    // The dataset's columns, from the version's own header (its bytes are verified when copied).
    const QString dataPath = tree + QLatin1Char('/') + dataset.path;
    ORRERY_ASSIGN_OR_RETURN(const QStringList header, headerOf(repository.cache().objectPath(base.md5)));

    ProductionRowReader reader(db, config);
    ORRERY_ASSIGN_OR_RETURN(auto rows, reader.read(header, result.afterFeedback, &result.rows));
    result.trainedThrough = result.rows.feedbackThrough;
    ORRERY_TRY(splitGateRows(rows, config.gate, header, iterationTempDir(root, iterationId), &result));
    rows = chooseRows(std::move(rows), dataset, clock.now().toMSecsSinceEpoch());
    result.rows.chosen = qint64(rows.size());
    if (rows.empty())
        return result; // nothing new: the version stays as it is

    // Write, store and commit under the workspace lock (as `data add`): gc must not take the new
    // object before the commit names it.
    ORRERY_ASSIGN_OR_RETURN(auto lock, workspace::WorkspaceLock::acquire(root, QStringLiteral("workspace"),
                                                                          QStringLiteral("ct iteration %1: the data step").arg(iterationId), 30'000));
    {
        common::AtomicFile out(dataPath);
        ORRERY_TRY(out.open());
        if (dataset.keepMs > 0) {
            ORRERY_ASSIGN_OR_RETURN(result.rowsLeftOut, copyRecentRows(repository.cache(), base.md5, dataset.timeColumn,
                                                                       clock.now().toMSecsSinceEpoch() - dataset.keepMs, out));
        } else {
            ORRERY_ASSIGN_OR_RETURN(const bool endsWithNewline, copyVerified(repository.cache(), base.md5, out));
            if (!endsWithNewline)
                ORRERY_TRY(out.write(QByteArray("\n")));
        }
        data::CsvWriterOptions options;
        options.escapeFormulas = false; // the cells are data for training, kept exactly
        data::CsvWriter writer(&out, options);
        for (const ProductionRow &row : rows)
            ORRERY_TRY(writer.writeRow(row.cells));
        ORRERY_TRY(writer.finish());
        ORRERY_TRY(out.commit());
    }
    ORRERY_ASSIGN_OR_RETURN(const auto added, repository.add({dataset.path}));
    if (added.added.size() != 1)
        return internalError(QStringLiteral("adding %1 reported %2 outs").arg(dataset.path).arg(added.added.size()));
    result.md5 = added.added.first().md5;
    result.size = added.added.first().size;
    result.changed = added.added.first().changed;
    result.rowsAdded = qint64(rows.size());

    ORRERY_ASSIGN_OR_RETURN(auto worktreeRepo, vcs::Repository::discover(worktreePath));
    const QString message = QStringLiteral("ct iteration %1: %2 with %3 labelled production row%4 from %5 (labels after feedback %6, policy %7)\n\n"
                                           "Built by `orrery-cli ct run` in its worktree; the data version %8 replaces %9.")
                                .arg(iterationId)
                                .arg(dataset.path)
                                .arg(result.rowsAdded)
                                .arg(result.rowsAdded == 1 ? QString() : QStringLiteral("s"), config.endpoint)
                                .arg(result.afterFeedback)
                                .arg(dataset.policyText(), result.md5, result.baseMd5);
    ORRERY_ASSIGN_OR_RETURN(result.commit, worktreeRepo->commitPaths({prefix + dataset.dvcFile()}, message));
    return result;
}

} // namespace orrery::ct
