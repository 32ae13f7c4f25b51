#pragma once
// WorkspaceStatusBar: where the window says which workspace is open — its folder and its git
// branch — and whether jobs are running. The branch is refreshed by the WorkspaceWatcher's polls,
// so a `git checkout` in a terminal shows up here within seconds.

#include <QStatusBar>

class QLabel;

namespace orrery::common {
class JobTracker;
}

namespace orrery::ui {

class ElidedLabel;
class JobIndicator;

class WorkspaceStatusBar : public QStatusBar {
    Q_OBJECT
public:
    explicit WorkspaceStatusBar(common::JobTracker *tracker, QWidget *parent = nullptr);

    void setWorkspace(const QString &root);
    void setBranch(const QString &branch, bool inRepository);
    void clearWorkspace();

    QString pathText() const;
    QString branchText() const;
    JobIndicator *jobIndicator() const { return m_jobs; }

private:
    ElidedLabel *m_path;
    QWidget *m_branchBox;
    QLabel *m_branch;
    JobIndicator *m_jobs;
};

} // namespace orrery::ui
