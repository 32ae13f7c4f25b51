#pragma once
// ActivityDock: the right-hand dock that answers "what is happening?" — the jobs this window is
// running (each with progress and Cancel) and the workspace's newest audit entries, which other
// processes append to as well.
//
// The dock only displays: the JobTracker and the WorkspaceWatcher that feed it belong to the
// main window.
//
// The audit table starts narrow (the areas get the width), so its columns are fitted by hand
// rather than by QHeaderView's modes: Time, Who and What to their text, the Target at least ~12
// characters (elided in the middle, so both a path's start and its file name show), and Why last,
// stretched over what is left. Short of room, What and then Who give way before the Target does.
// Seq is hidden: the row order is the log's, and the tooltip — every cell's full record — leads
// with it.

#include <QDockWidget>

class QLabel;
class QTableView;

namespace orrery::common {
class JobTracker;
}

namespace orrery::ui {

class AuditTableModel;
class JobListWidget;

class ActivityDock : public QDockWidget {
    Q_OBJECT
public:
    ActivityDock(common::JobTracker *tracker, QWidget *parent = nullptr);

    AuditTableModel *auditModel() const { return m_auditModel; }
    QTableView *auditView() const { return m_auditView; }
    JobListWidget *jobList() const { return m_jobList; }

    // Shows the audit table of an open workspace, or a line saying why there is none.
    void setWorkspaceOpen(bool open);
    // A read of the audit log failed (shown under the table until the next success).
    void setAuditProblem(const QString &message);

    // The Target column's width that fitAuditColumns() keeps at the least: ~12 characters.
    int minimumTargetWidth() const;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override;

private:
    QLabel *sectionLabel(const QString &text);
    void fitAuditColumns();

    JobListWidget *m_jobList;
    AuditTableModel *m_auditModel;
    QTableView *m_auditView;
    QLabel *m_auditNote;
};

} // namespace orrery::ui
