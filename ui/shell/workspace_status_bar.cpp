#include "ui/shell/workspace_status_bar.h"

#include "ui/activity/job_indicator.h"
#include "ui/common/elided_label.h"
#include "ui/common/svg_icon_widget.h"

#include <QDir>
#include <QHBoxLayout>
#include <QLabel>

namespace orrery::ui {

WorkspaceStatusBar::WorkspaceStatusBar(common::JobTracker *tracker, QWidget *parent)
    : QStatusBar(parent),
      m_path(new ElidedLabel(this)),
      m_branchBox(new QWidget(this)),
      m_branch(new QLabel(m_branchBox)),
      m_jobs(new JobIndicator(tracker, this))
{
    setObjectName(QStringLiteral("statusBar"));
    m_path->setObjectName(QStringLiteral("workspacePath"));
    m_path->setContentsMargins(4, 0, 4, 0);
    m_branch->setObjectName(QStringLiteral("gitBranch"));
    m_branch->setTextFormat(Qt::PlainText);

    const int iconSize = fontMetrics().height();
    auto *branchLayout = new QHBoxLayout(m_branchBox);
    branchLayout->setContentsMargins(4, 0, 8, 0);
    branchLayout->setSpacing(4);
    branchLayout->addWidget(new SvgIconWidget(QStringLiteral(":/icons/branch.svg"), iconSize, m_branchBox));
    branchLayout->addWidget(m_branch);

    // The path may be shortened; the branch and the jobs are short and must stay whole.
    addWidget(m_path, 1);
    addPermanentWidget(m_jobs);
    addPermanentWidget(m_branchBox);
    clearWorkspace();
}

void WorkspaceStatusBar::setWorkspace(const QString &root)
{
    m_path->setText(QDir::toNativeSeparators(root));
    m_branchBox->setVisible(!m_branch->text().isEmpty());
}

void WorkspaceStatusBar::setBranch(const QString &branch, bool inRepository)
{
    if (!inRepository)
        m_branch->setText(tr("not a git repository"));
    else
        m_branch->setText(branch.isEmpty() ? tr("detached HEAD") : branch);
    m_branch->setToolTip(inRepository ? tr("Git branch of the workspace") : QString());
    m_branchBox->setVisible(true);
}

void WorkspaceStatusBar::clearWorkspace()
{
    m_path->setText(tr("No workspace open"));
    m_branch->clear();
    m_branchBox->setVisible(false);
}

QString WorkspaceStatusBar::pathText() const
{
    return m_path->text();
}

QString WorkspaceStatusBar::branchText() const
{
    return m_branch->text();
}

} // namespace orrery::ui
