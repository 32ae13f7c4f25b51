#include "ui/activity/job_row.h"

#include "core/common/job.h"
#include "ui/common/elided_label.h"

#include <QGridLayout>
#include <QIcon>
#include <QLabel>
#include <QProgressBar>
#include <QToolButton>

#include <algorithm>

namespace orrery::ui {
namespace {
constexpr int kScale = 1000; // QProgressBar takes int; jobs count bytes in qint64

QString duration(qint64 ms)
{
    if (ms < 60000)
        return QObject::tr("%1 s").arg(ms / 1000.0, 0, 'f', 1);
    return QObject::tr("%1 min %2 s").arg(ms / 60000).arg((ms / 1000) % 60);
}
} // namespace

JobRow::JobRow(common::Job *job, QWidget *parent)
    : QWidget(parent),
      m_job(job),
      m_title(new ElidedLabel(this)),
      m_detail(new QLabel(this)),
      m_progress(new QProgressBar(this)),
      m_cancel(new QToolButton(this))
{
    m_clock.start();
    setObjectName(QStringLiteral("jobRow"));
    m_title->setText(job->title());
    m_detail->setTextFormat(Qt::PlainText);
    m_detail->setWordWrap(true); // "failed: …" can be long; it wraps instead of widening the dock
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
        if (m_outcome != Outcome::Running) {
            Q_EMIT dismissed();
        } else if (m_job) {
            m_job->cancel();
            m_cancel->setEnabled(false);
            m_detail->setText(tr("Cancelling…"));
            m_detail->setVisible(true);
        }
    });
    connect(job, &common::Job::progressChanged, this, &JobRow::showProgress);
    showProgress(job->progressDone(), job->progressTotal(), job->progressText());
}

QString JobRow::title() const
{
    return m_title->text();
}

QString JobRow::detailText() const
{
    return m_detail->text();
}

void JobRow::showProgress(qint64 done, qint64 total, const QString &text)
{
    if (m_outcome != Outcome::Running)
        return;
    if (total <= 0) {
        m_progress->setRange(0, 0); // unknown total: a busy indicator
    } else {
        m_progress->setRange(0, kScale);
        m_progress->setValue(int(std::clamp<qint64>(done * kScale / total, 0, kScale)));
    }
    if (m_job && m_job->isCancelRequested())
        return; // keep "Cancelling…" until the job ends
    m_detail->setText(text);
    m_detail->setVisible(!text.isEmpty());
}

void JobRow::finish(const Status &result)
{
    const QString took = duration(m_clock.elapsed());
    if (result.isOk()) {
        m_outcome = Outcome::Succeeded;
        m_detail->setText(tr("✓ Succeeded in %1").arg(took));
    } else if (result.code() == ErrorCode::Cancelled) {
        m_outcome = Outcome::Cancelled;
        m_detail->setText(tr("Cancelled after %1").arg(took));
    } else {
        m_outcome = Outcome::Failed;
        m_detail->setText(tr("✗ Failed after %1: %2").arg(took, result.message()));
        m_detail->setForegroundRole(QPalette::WindowText);
    }
    m_detail->setToolTip(result.isOk() ? QString() : result.message());
    m_detail->setVisible(true);
    m_progress->hide();
    m_cancel->setEnabled(true);
    m_cancel->setToolTip(tr("Remove %1 from the list").arg(m_title->text()));
    m_cancel->setAccessibleName(tr("Dismiss"));
}

} // namespace orrery::ui
