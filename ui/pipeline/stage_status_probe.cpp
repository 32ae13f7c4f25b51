#include "ui/pipeline/stage_status_probe.h"

#include "core/pipeline/lock_file.h"
#include "core/pipeline/pipeline_file.h"
#include "core/stages/pipeline_run.h"

#include <QDir>
#include <QFileInfo>
#include <QFutureWatcher>
#include <QLocale>
#include <QPromise>
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
    const QFileInfo lockInfo(QDir(root).filePath(QStringLiteral("dvc.lock")));
    const QString ran = lockInfo.exists() ? sinceText(lockInfo.lastModified(), QDateTime::currentDateTime()) : QString();
    for (const StageReport &r : outcome->report.stages) {
        StageDiskStatus s;
        const LockStage *locked = lock ? lock->stage(r.name) : nullptr;
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
