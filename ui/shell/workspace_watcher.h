#pragma once
// WorkspaceWatcher: re-reads, every ~1 s, the state of the open workspace that other processes
// change — the newest audit entries and the git branch (DESIGN.md, "Processes sharing a
// workspace": the window polls what it does not own). A poll first asks for the newest audit
// sequence number (one index lookup) and reads entries only when it moved.
//
// Each poll is an orrery::common::Job: it opens its own SQLite connection and git repository on
// the job's thread, reads, and hands plain values back through the job's queued finished signal,
// so no SQL and no libgit2 call ever runs on the GUI thread. At most one poll is in flight; a
// result from before the last setRoot()/clear() is dropped.
//
// Threads: lives in, and is used from, the GUI thread.

#include "core/audit/audit_log.h"

#include <QObject>
#include "core/common/job.h"

#include <QPointer>
#include <QString>
#include <QVector>

class QTimer;

namespace orrery::ui {

class WorkspaceWatcher : public QObject {
    Q_OBJECT
public:
    static constexpr int kDefaultIntervalMs = 1000;
    static constexpr int kAuditRows = 200;

    explicit WorkspaceWatcher(QObject *parent = nullptr);
    ~WorkspaceWatcher() override;

    // Starts watching `root` (polls at once, then every interval).
    void setRoot(const QString &root);
    // Stops watching.
    void clear();
    QString root() const { return m_root; }
    void setInterval(int ms);
    // Polls now unless a poll is already in flight.
    void refresh();

Q_SIGNALS:
    void auditLoaded(const QVector<orrery::audit::AuditEntry> &newestFirst);
    // `branch` is empty for a detached HEAD; `inRepository` is false outside any git repository.
    void branchChanged(const QString &branch, bool inRepository);
    // A poll failed (the folder vanished, the database is locked…); polling goes on.
    void pollFailed(const QString &message);
    void pollSucceeded();

private:
    QTimer *m_timer;
    QString m_root;
    quint64 m_generation = 0;
    QPointer<common::Job> m_inFlight;
    bool m_branchKnown = false;
    QString m_branch;
    bool m_inRepository = false;
    qint64 m_auditSeq = -1; // newest audit entry shown; -1: none read yet
};

} // namespace orrery::ui
