#pragma once
// JobRow: one job in the Activity dock — its title, what it is doing now, a progress bar (a busy
// indicator while the total is unknown) and a Cancel button; once the job ended, how it ended
// (succeeded, failed and why, cancelled — with the time it took) and a button that dismisses
// the row.
//
// The row follows the Job through its queued progressChanged signal (throttled to ~10 Hz by the
// Job, which still delivers the last report), so a job that reports every row never floods the
// GUI thread.

#include "core/common/job.h"

#include <QElapsedTimer>
#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QToolButton;

namespace orrery::ui {

class ElidedLabel;

class JobRow : public QWidget {
    Q_OBJECT
public:
    enum class Outcome { Running, Succeeded, Failed, Cancelled };

    explicit JobRow(common::Job *job, QWidget *parent = nullptr);

    common::Job *job() const { return m_job; }
    QString title() const;
    QString detailText() const; // what it does now, or how it ended
    Outcome outcome() const { return m_outcome; }
    QToolButton *cancelButton() const { return m_cancel; } // Dismiss once it ended
    QProgressBar *progressBar() const { return m_progress; }

    // The job ended with `result`: the row shows how, and its button dismisses it.
    void finish(const Status &result);

Q_SIGNALS:
    void dismissed();

private:
    void showProgress(qint64 done, qint64 total, const QString &text);

    QPointer<common::Job> m_job;
    ElidedLabel *m_title; // a long title never widens the dock
    QLabel *m_detail;
    QProgressBar *m_progress;
    QToolButton *m_cancel;
    QElapsedTimer m_clock;
    Outcome m_outcome = Outcome::Running;
};

} // namespace orrery::ui
