#include "ui/activity/job_indicator.h"

#include "core/common/job.h"
#include "core/common/job_tracker.h"

#include <QHBoxLayout>
#include <QProgressBar>
#include <QToolButton>

namespace orrery::ui {

JobIndicator::JobIndicator(common::JobTracker *tracker, QWidget *parent)
    : QWidget(parent), m_tracker(tracker), m_busy(new QProgressBar(this)), m_button(new QToolButton(this))
{
    setObjectName(QStringLiteral("jobIndicator"));
    m_busy->setRange(0, 0);
    m_busy->setTextVisible(false);
    m_busy->setFixedSize(64, 10);
    m_button->setAutoRaise(true);
    m_button->setToolTip(tr("Show the Activity dock"));

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    layout->addWidget(m_busy, 0, Qt::AlignVCenter);
    layout->addWidget(m_button);

    connect(m_button, &QToolButton::clicked, this, &JobIndicator::clicked);
    connect(tracker, &common::JobTracker::jobAdded, this, &JobIndicator::refresh);
    connect(tracker, &common::JobTracker::jobFinished, this, &JobIndicator::refresh);
    refresh();
}

QString JobIndicator::text() const
{
    return m_button->text();
}

void JobIndicator::refresh()
{
    const QList<common::Job *> jobs = m_tracker->runningJobs();
    if (jobs.size() == 1)
        m_button->setText(jobs.first()->title() + QStringLiteral("…"));
    else
        m_button->setText(tr("%n jobs running", nullptr, int(jobs.size())));
    setVisible(!jobs.isEmpty());
}

} // namespace orrery::ui
