#pragma once
// JobTracker: the list of jobs a process is running, for the Activity dock and the status bar.
// Lives in the GUI thread; jobs added here are removed when they finish (and deleted later when
// the tracker owns them).

#include <QList>
#include <QObject>
#include <QPointer>

namespace orrery::common {

class Job;

class JobTracker : public QObject {
    Q_OBJECT
public:
    explicit JobTracker(QObject *parent = nullptr);

    // Starts tracking `job`, takes ownership (deleted after it finished) and starts it.
    void startTracked(Job *job);
    QList<Job *> runningJobs() const;
    void cancelAll();

Q_SIGNALS:
    void jobAdded(orrery::common::Job *job);
    void jobFinished(orrery::common::Job *job);

private:
    QList<QPointer<Job>> m_jobs;
};

} // namespace orrery::common
