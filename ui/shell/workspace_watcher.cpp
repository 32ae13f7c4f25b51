#include "ui/shell/workspace_watcher.h"

#include "core/common/job.h"
#include "core/store/database.h"
#include "core/vcs/repository.h"
#include "core/workspace/workspace.h"

#include <QTimer>

#include <memory>

namespace orrery::ui {
namespace {
struct Snapshot {
    qint64 auditSeq = 0;
    bool auditRead = false; // false: the newest entry is the one already shown
    QVector<audit::AuditEntry> audit;
    QString branch;
    bool inRepository = false;
};
} // namespace

WorkspaceWatcher::WorkspaceWatcher(QObject *parent) : QObject(parent), m_timer(new QTimer(this))
{
    m_timer->setInterval(kDefaultIntervalMs);
    connect(m_timer, &QTimer::timeout, this, &WorkspaceWatcher::refresh);
}

WorkspaceWatcher::~WorkspaceWatcher() = default; // a poll in flight is a child: its Job waits

void WorkspaceWatcher::setRoot(const QString &root)
{
    m_root = root;
    ++m_generation;
    m_branchKnown = false;
    m_auditSeq = -1;
    m_timer->start();
    refresh();
}

void WorkspaceWatcher::clear()
{
    m_root.clear();
    ++m_generation;
    m_branchKnown = false;
    m_auditSeq = -1;
    m_timer->stop();
}

void WorkspaceWatcher::setInterval(int ms)
{
    m_timer->setInterval(ms);
}

void WorkspaceWatcher::refresh()
{
    if (m_root.isEmpty())
        return;
    // A poll of the previous root may still run; the new one waits for the next tick rather than
    // stacking threads on a slow disk.
    if (m_inFlight)
        return;
    const QString root = m_root;
    const quint64 generation = m_generation;
    auto snapshot = std::make_shared<Snapshot>();
    const qint64 shownSeq = m_auditSeq;
    auto *job = new common::Job(tr("Reading workspace state"), [root, snapshot, shownSeq](common::JobContext &) -> Status {
        store::OpenOptions options;
        options.applyMigrations = false; // migrating is Workspace::open's job, under the lock
        ORRERY_ASSIGN_OR_RETURN(auto db, store::Database::open(workspace::Workspace::databasePathFor(root), options));
        audit::AuditLog log(*db);
        ORRERY_ASSIGN_OR_RETURN(auto newest, log.newestSeq());
        snapshot->auditSeq = newest;
        if (newest != shownSeq) {
            ORRERY_ASSIGN_OR_RETURN(auto entries, log.list(kAuditRows));
            snapshot->audit = std::move(entries);
            snapshot->auditRead = true;
        }
        if (auto repo = vcs::Repository::discover(root)) {
            snapshot->inRepository = true;
            snapshot->branch = (*repo)->currentBranch();
        }
        return Status::ok();
    }, this);
    m_inFlight = job;
    connect(job, &common::Job::finished, this, [this, job, snapshot, generation](const Status &status) {
        job->deleteLater();
        if (m_inFlight == job)
            m_inFlight.clear();
        if (generation != m_generation) {
            refresh(); // the root changed while this poll ran: read the new one now
            return;
        }
        if (!status.isOk()) {
            Q_EMIT pollFailed(status.message());
            return;
        }
        if (snapshot->auditRead) {
            m_auditSeq = snapshot->auditSeq;
            Q_EMIT auditLoaded(snapshot->audit);
        }
        if (!m_branchKnown || snapshot->branch != m_branch || snapshot->inRepository != m_inRepository) {
            m_branchKnown = true;
            m_branch = snapshot->branch;
            m_inRepository = snapshot->inRepository;
            Q_EMIT branchChanged(m_branch, m_inRepository);
        }
        Q_EMIT pollSucceeded();
    });
    job->start();
}

} // namespace orrery::ui
