#pragma once
// JobListWidget: the running jobs of a JobTracker, one JobRow each, newest at the bottom, with a
// quiet "No jobs running" line when there are none (never a blank box).

#include <QHash>
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
    explicit JobListWidget(common::JobTracker *tracker, QWidget *parent = nullptr);

    int rowCount() const { return int(m_rows.size()); }
    JobRow *rowFor(common::Job *job) const { return m_rows.value(job); }

private:
    void addJob(common::Job *job);
    void removeJob(common::Job *job);

    QVBoxLayout *m_rowsLayout;
    QLabel *m_placeholder;
    QHash<common::Job *, JobRow *> m_rows;
};

} // namespace orrery::ui
