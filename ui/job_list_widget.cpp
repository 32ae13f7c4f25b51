#include "ui/job_list_widget.h"

#include "core/common/job.h"
#include "core/common/job_tracker.h"
#include "ui/job_row.h"

#include <QLabel>
#include <QVBoxLayout>

namespace orrery::ui {

JobListWidget::JobListWidget(common::JobTracker *tracker, QWidget *parent)
    : QWidget(parent), m_rowsLayout(new QVBoxLayout), m_placeholder(new QLabel(tr("No jobs running."), this))
{
    setObjectName(QStringLiteral("jobList"));
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    m_rowsLayout->setContentsMargins(0, 0, 0, 0);
    m_rowsLayout->setSpacing(0);
    layout->addWidget(m_placeholder);
    layout->addLayout(m_rowsLayout);

    connect(tracker, &common::JobTracker::jobAdded, this, &JobListWidget::addJob);
    connect(tracker, &common::JobTracker::jobFinished, this, &JobListWidget::removeJob);
    for (common::Job *job : tracker->runningJobs())
        addJob(job);
}

void JobListWidget::addJob(common::Job *job)
{
    if (m_rows.contains(job))
        return;
    auto *row = new JobRow(job, this);
    m_rows.insert(job, row);
    m_rowsLayout->addWidget(row);
    m_placeholder->setVisible(false);
}

void JobListWidget::removeJob(common::Job *job)
{
    // The tracker emits jobFinished before it deletes the job, so the pointer is only a key here.
    if (JobRow *row = m_rows.take(job)) {
        row->hide();
        row->deleteLater();
    }
    m_placeholder->setVisible(m_rows.isEmpty());
}

} // namespace orrery::ui
