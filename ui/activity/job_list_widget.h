#pragma once
// JobListWidget: the jobs of a JobTracker, one JobRow each — the running ones, newest at the
// bottom, with a quiet "No jobs running" line when there are none (never a blank box); under
// them the last few that ended, newest first, each saying how it ended until dismissed.

#include <QHash>
#include <QList>
#include <QWidget>

class QLabel;
class QVBoxLayout;

namespace orrery::common {
class Job;
class JobTracker;
}

namespace orrery::ui {

class JobRow;

class JobListWidget : public QWidget {
    Q_OBJECT
public:
    static constexpr int kKeptFinished = 5;

    explicit JobListWidget(common::JobTracker *tracker, QWidget *parent = nullptr);

    int rowCount() const { return int(m_rows.size()); } // running jobs
    JobRow *rowFor(common::Job *job) const { return m_rows.value(job); }
    QList<JobRow *> finishedRows() const { return m_finished; } // newest first

private:
    void addJob(common::Job *job);
    void jobFinished(common::Job *job);
    void dismiss(JobRow *row);

    QVBoxLayout *m_rowsLayout;
    QVBoxLayout *m_finishedLayout;
    QLabel *m_placeholder;
    QHash<common::Job *, JobRow *> m_rows;
    QList<JobRow *> m_finished;
};

} // namespace orrery::ui
