#pragma once
// JobProgressHeader: a heading line that names what is shown and, while a job computes it, shows
// the job's progress and a Cancel button on the right — the Data area's detail header.
//
// It follows one job at a time: track() replaces the followed job (progress of the old one is
// ignored from then on), finish() hides the progress. Cancel asks the job to stop; whoever
// started the job reacts to its finished signal.
//
// Threads: GUI thread only (progress arrives through the job's queued signals).

#include <QPointer>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace orrery::common {
class Job;
}

namespace orrery::ui {

class JobProgressHeader : public QWidget {
    Q_OBJECT
public:
    explicit JobProgressHeader(QWidget *parent = nullptr);

    void setTitle(const QString &title);
    QString title() const;
    // Follows `job` (null: nothing) until finish().
    void track(common::Job *job);
    // The followed job ended (or is no longer wanted): hides the progress.
    void finish();
    // Asks the followed job to stop.
    void cancel();

    bool isBusy() const { return !m_job.isNull(); }
    common::Job *job() const { return m_job; }
    QPushButton *cancelButton() const { return m_cancel; }
    QProgressBar *progressBar() const { return m_progress; }

Q_SIGNALS:
    void busyChanged(bool busy);

private:
    QPointer<common::Job> m_job;
    QLabel *m_title;
    QProgressBar *m_progress;
    QPushButton *m_cancel;
};

} // namespace orrery::ui
