#pragma once
// JobRow: one running job in the Activity dock — its title, what it is doing now, a progress bar
// (a busy indicator while the total is unknown) and a Cancel button.
//
// The row follows the Job through its queued progressChanged signal (throttled to ~10 Hz by the
// Job), so a job that reports every row never floods the GUI thread.

#include "core/common/job.h"

#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace orrery::ui {

class JobRow : public QWidget {
    Q_OBJECT
public:
    explicit JobRow(common::Job *job, QWidget *parent = nullptr);

    common::Job *job() const { return m_job; }
    QToolButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }

private:
    void showProgress(qint64 done, qint64 total, const QString &text);

    QPointer<common::Job> m_job;
    QLabel *m_title;
    QLabel *m_detail;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
};

} // namespace orrery::ui
