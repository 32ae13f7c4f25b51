#include "ui/activity/job_list_widget.h"

#include "core/common/job.h"
#include "core/common/job_tracker.h"
#include "ui/activity/job_row.h"

#include <QLabel>
#include <QVBoxLayout>

namespace orrery::ui {

JobListWidget::JobListWidget(common::JobTracker *tracker, QWidget *parent)
    : QWidget(parent),
      m_rowsLayout(new QVBoxLayout),
      m_finishedLayout(new QVBoxLayout),
      m_placeholder(new QLabel(tr("No jobs running."), this))
{
    setObjectName(QStringLiteral("jobList"));
    m_placeholder->setForegroundRole(QPalette::PlaceholderText);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(0);
    for (QVBoxLayout *rows : {m_rowsLayout, m_finishedLayout}) {
        rows->setContentsMargins(0, 0, 0, 0);
        rows->setSpacing(0);
    }
    layout->addWidget(m_placeholder);
    layout->addLayout(m_rowsLayout);
    layout->addLayout(m_finishedLayout);

    connect(tracker, &common::JobTracker::jobAdded, this, &JobListWidget::addJob);
    connect(tracker, &common::JobTracker::jobFinished, this, &JobListWidget::jobFinished);
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

void JobListWidget::jobFinished(common::Job *job)
{
    // The tracker emits jobFinished before it deletes the job: its result is still there, and
    // after this the row keeps only what it shows.
    if (JobRow *row = m_rows.take(job)) {
        row->finish(job->result());
        m_rowsLayout->removeWidget(row);
        m_finishedLayout->insertWidget(0, row);
        m_finished.prepend(row);
        connect(row, &JobRow::dismissed, this, [this, row] { dismiss(row); });
        while (m_finished.size() > kKeptFinished)
            dismiss(m_finished.last());
    }
    m_placeholder->setVisible(m_rows.isEmpty());
}

void JobListWidget::dismiss(JobRow *row)
{
    if (!m_finished.removeOne(row))
        return;
    row->hide();
    row->deleteLater();
}

} // namespace orrery::ui
