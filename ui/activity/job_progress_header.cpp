#include "ui/activity/job_progress_header.h"

#include "core/common/job.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace orrery::ui {
namespace {
constexpr int kProgressSteps = 1000;
}

JobProgressHeader::JobProgressHeader(QWidget *parent)
    : QWidget(parent), m_title(new QLabel), m_progress(new QProgressBar), m_cancel(new QPushButton(tr("Cancel")))
{
    QFont titleFont = m_title->font();
    titleFont.setWeight(QFont::DemiBold);
    m_title->setFont(titleFont);
    m_title->setObjectName(QStringLiteral("detailTitle"));
    m_title->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_progress->setObjectName(QStringLiteral("detailProgress"));
    m_progress->setMaximumWidth(220);
    m_progress->setTextVisible(false);
    m_progress->hide();
    m_cancel->setObjectName(QStringLiteral("detailCancel"));
    m_cancel->hide();
    connect(m_cancel, &QPushButton::clicked, this, &JobProgressHeader::cancel);

    auto *layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(8);
    layout->addWidget(m_title, 1);
    layout->addWidget(m_progress);
    layout->addWidget(m_cancel);
    // The same height busy or idle, so the content below does not jump when a job starts.
    setMinimumHeight(m_cancel->sizeHint().height());
}

void JobProgressHeader::setTitle(const QString &title)
{
    m_title->setText(title);
}

QString JobProgressHeader::title() const
{
    return m_title->text();
}

void JobProgressHeader::track(common::Job *job)
{
    if (!job)
        return;
    const bool wasBusy = isBusy();
    m_job = job;
    m_progress->setRange(0, 0); // busy until the job says how far it is
    m_progress->show();
    m_cancel->show();
    connect(job, &common::Job::progressChanged, this, [this, job](qint64 done, qint64 total) {
        if (m_job != job || total <= 0)
            return;
        m_progress->setRange(0, kProgressSteps);
        m_progress->setValue(int(std::min<qint64>(kProgressSteps, done * kProgressSteps / total)));
    });
    if (!wasBusy)
        Q_EMIT busyChanged(true);
}

void JobProgressHeader::finish()
{
    const bool wasBusy = isBusy();
    m_job.clear();
    m_progress->hide();
    m_cancel->hide();
    if (wasBusy)
        Q_EMIT busyChanged(false);
}

void JobProgressHeader::cancel()
{
    if (m_job)
        m_job->cancel();
}

} // namespace orrery::ui
