#include "ui/job_row.h"

#include "core/common/job.h"

#include <QGridLayout>
#include <QIcon>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

#include <algorithm>

namespace orrery::ui {
namespace {
constexpr int kScale = 1000; // QProgressBar takes int; jobs count bytes in qint64
}

JobRow::JobRow(common::Job *job, QWidget *parent)
    : QWidget(parent),
      m_job(job),
      m_title(new QLabel(job->title(), this)),
      m_detail(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_cancel(new QToolButton(this))
{
    setObjectName(QStringLiteral("jobRow"));
    m_title->setTextFormat(Qt::PlainText);
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setForegroundRole(QPalette::PlaceholderText);
    m_progress->setTextVisible(false);
    m_progress->setMaximumHeight(m_title->sizeHint().height() / 2 + 4);
    m_cancel->setIcon(QIcon(QStringLiteral(":/icons/cancel.svg")));
    m_cancel->setAutoRaise(true);
    m_cancel->setToolTip(tr("Cancel %1").arg(job->title()));
    m_cancel->setAccessibleName(tr("Cancel"));

    auto *layout = new QGridLayout(this);
    layout->setContentsMargins(0, 4, 0, 4);
    layout->setHorizontalSpacing(6);
    layout->setVerticalSpacing(2);
    layout->addWidget(m_title, 0, 0);
    layout->addWidget(m_cancel, 0, 1, 3, 1, Qt::AlignVCenter);
    layout->addWidget(m_progress, 1, 0);
    layout->addWidget(m_detail, 2, 0);
    layout->setColumnStretch(0, 1);

    connect(m_cancel, &QToolButton::clicked, this, [this] {
        if (m_job) {
            m_job->cancel();
            m_cancel->setEnabled(false);
            m_detail->setText(tr("Cancelling…"));
        }
    });
    connect(job, &common::Job::progressChanged, this, &JobRow::showProgress);
    showProgress(job->progressDone(), job->progressTotal(), job->progressText());
}

void JobRow::showProgress(qint64 done, qint64 total, const QString &text)
{
    if (total <= 0) {
        m_progress->setRange(0, 0); // unknown total: a busy indicator
    } else {
        m_progress->setRange(0, kScale);
        m_progress->setValue(int(std::clamp<qint64>(done * kScale / total, 0, kScale)));
    }
    if (m_job && m_job->isCancelRequested())
        return; // keep "Cancelling…" until the row goes away
    m_detail->setText(text);
    m_detail->setVisible(!text.isEmpty());
}

} // namespace orrery::ui
