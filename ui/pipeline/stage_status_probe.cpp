#include "ui/pipeline/stage_status_probe.h"

#include "core/pipeline/lock_file.h"
#include "core/pipeline/pipeline_file.h"
#include "core/stages/pipeline_run.h"
#include "core/store/database.h"
#include "core/tracking/run_manifest.h"
#include "core/tracking/run_search.h"
#include "core/tracking/tracking_store.h"
#include "core/workspace/workspace.h"

#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QJsonArray>
#include <QJsonObject>
#include <QLocale>
#include <QPromise>
#include <QSet>
#include <QThreadPool>

#include <memory>

namespace orrery::ui {

using namespace orrery::pipeline;

namespace {

// The params of a stage whose values differ from those dvc.lock recorded.
QStringList changedParams(const QString &root, const LockStage &locked)
{
    QStringList keys;
    for (const auto &[file, kv] : locked.params) {
        auto now = loadParamsFile(QDir(root).filePath(file), file);
        for (const auto &[key, old] : kv) {
            const ParamValue *v = now ? now->find(key) : nullptr;
            if (!v || !(*v == old))
                keys << key;
        }
    }
    return keys;
}

// Whether a tracked stage run is the run that made `locked`, dvc.lock's entry: it read the same
// deps (its manifest's data, as the executor records them) and params (its params, named as the
// executor logs them). A later untracked run of the stage (`dvc repro`, `run --no-track`) with
// other inputs, or a run in another work tree of the workspace (a ct iteration's, whose runs are
// in the same database) with other data, is not.
bool madeLockEntry(store::Database &db, const tracking::Run &run, const LockStage &locked)
{
    QHash<QString, QString> params;
    for (const tracking::KeyValue &kv : run.params)
        params.insert(kv.key, kv.value);
    for (const auto &[file, kv] : locked.params)
        for (const auto &[key, value] : kv) {
            const QString name = file == QLatin1String("params.yaml") ? key : file + QLatin1Char(':') + key;
            const auto it = params.constFind(name);
            if (it == params.cend() || *it != value.interpolationText().left(6000))
                return false;
        }
    auto manifest = tracking::loadManifest(db, run.info.runId);
    if (!manifest)
        return false;
    QSet<QString> recorded, lockedDeps;
    for (const QJsonValue &d : manifest->json.value(QStringLiteral("data")).toArray())
        recorded.insert(d[QStringLiteral("path")].toString() + QLatin1Char('\n') + d[QStringLiteral("md5")].toString());
    for (const LockHash &d : locked.deps)
        lockedDeps.insert(d.path + QLatin1Char('\n') + d.md5);
    return recorded == lockedDeps;
}

// When each stage of dvc.lock last ran to its end, by its tracked stage run (experiment
// "pipeline", tag orrery.stage): the newest finished one that made its dvc.lock entry. Stages
// with none (run by `dvc repro`, or untracked) are absent. Best effort: an unreadable database
// leaves every stage to dvc.lock's time.
QHash<QString, QDateTime> stageRunEnds(const QString &root, const LockFile &lock)
{
    QHash<QString, QDateTime> ends;
    store::OpenOptions options;
    options.applyMigrations = false; // migrating is Workspace::open's job, under the lock
    auto db = store::Database::open(workspace::Workspace::databasePathFor(root), options);
    if (!db)
        return ends;
    tracking::TrackingStore tracking(**db);
    auto experiment = tracking.experimentByName(QStringLiteral("pipeline"));
    if (!experiment)
        return ends;
    for (const LockStage &locked : lock.stages) {
        // The filter syntax has no escapes: a name holding both quotes is left to dvc.lock's time.
        const QChar quote = !locked.name.contains(QLatin1Char('\'')) ? QLatin1Char('\'') : QLatin1Char('"');
        if (locked.name.contains(quote))
            continue;
        tracking::RunQuery query;
        query.experimentIds = {experiment->id};
        query.filter = QStringLiteral("tags.\"orrery.stage\" = %1%2%1 and attributes.status = 'FINISHED'").arg(quote, locked.name);
        query.orderBy = {QStringLiteral("attributes.end_time DESC")};
        query.maxResults = 5; // the newest few: enough to pass over a ct iteration's runs
        auto page = tracking::searchRuns(**db, query);
        if (!page)
            continue;
        for (const tracking::Run &run : page->runs)
            if (run.info.endTime > 0 && madeLockEntry(**db, run, locked)) {
                ends.insert(locked.name, QDateTime::fromMSecsSinceEpoch(run.info.endTime));
                break;
            }
    }
    return ends;
}

QHash<QString, StageDiskStatus> probe(const QString &root, const QString &cliDir)
{
    QHash<QString, StageDiskStatus> out;
    stages::PipelineRunRequest request;
    request.dryRun = true;
    request.track = false;
    request.cliDir = cliDir;
    request.workers = 1;
    request.holder = QStringLiteral("the pipeline editor's status probe");
    auto outcome = stages::runWorkspacePipeline(root, request);
    if (!outcome)
        return out;
    auto lock = LockFile::load(root);
    const QHash<QString, QDateTime> runEnds = lock ? stageRunEnds(root, *lock) : QHash<QString, QDateTime>();
    // dvc.lock is written after each stage that runs: its time is when the newest one ended.
    const QDateTime lockTime = QFileInfo(QDir(root).filePath(QStringLiteral("dvc.lock"))).lastModified();
    const QDateTime now = QDateTime::currentDateTime();
    for (const StageReport &r : outcome->report.stages) {
        StageDiskStatus s;
        const LockStage *locked = lock ? lock->stage(r.name) : nullptr;
        s.ranAt = locked ? runEnds.value(r.name, lockTime) : QDateTime();
        const QString ran = s.ranAt.isValid() ? sinceText(s.ranAt, now) : QString();
        if (!locked) {
            s.kind = StageDiskStatus::Kind::NeverRun;
            s.text = QObject::tr("never run");
        } else if (r.state == StageState::Skipped || r.state == StageState::Restored) {
            s.kind = StageDiskStatus::Kind::UpToDate;
            s.text = QObject::tr("up to date · ran %1").arg(ran);
        } else {
            s.kind = StageDiskStatus::Kind::Changed;
            const QStringList params = changedParams(root, *locked);
            const QString why = params.isEmpty() ? r.reason : QObject::tr("param %1").arg(params.join(QStringLiteral(", ")));
            s.text = QObject::tr("changed: %1 · ran %2").arg(why, ran);
        }
        out.insert(r.name, s);
    }
    return out;
}

} // namespace

QString sinceText(const QDateTime &when, const QDateTime &now)
{
    const qint64 s = when.secsTo(now);
    if (s < 60)
        return QObject::tr("just now");
    if (s < 3600)
        return QObject::tr("%1 min ago").arg(s / 60);
    if (s < 86400)
        return QObject::tr("%1 h ago").arg(s / 3600);
    return QLocale().toString(when.date(), QLocale::ShortFormat);
}

StageStatusProbe::StageStatusProbe(QObject *parent)
    : QObject(parent), m_watcher(new QFutureWatcher<QHash<QString, StageDiskStatus>>(this))
{
    connect(m_watcher, &QFutureWatcherBase::finished, this, [this] {
        const QString root = m_runningRoot;
        m_runningRoot.clear();
        if (root == m_root && m_watcher->future().resultCount() > 0)
            Q_EMIT statusesReady(root, m_watcher->result());
        if (m_again)
            start();
    });
}

StageStatusProbe::~StageStatusProbe()
{
    m_watcher->waitForFinished(); // the dry run reads the workspace: it may not outlive the editor
}

void StageStatusProbe::refresh(const QString &root, const QString &cliDir)
{
    m_root = root;
    m_cliDir = cliDir;
    if (root.isEmpty())
        return;
    if (!m_runningRoot.isEmpty()) { // one in flight
        m_again = true;
        return;
    }
    start();
}

void StageStatusProbe::start()
{
    m_again = false;
    m_runningRoot = m_root;
    // The promise is the only thing the task shares with the probe.
    auto promise = std::make_shared<QPromise<QHash<QString, StageDiskStatus>>>();
    m_watcher->setFuture(promise->future());
    QThreadPool::globalInstance()->start([promise, root = m_root, cliDir = m_cliDir] {
        promise->start();
        promise->addResult(probe(root, cliDir));
        promise->finish();
    });
}

} // namespace orrery::ui
