#include "core/common/job_tracker.h"

#include "core/common/job.h"

namespace orrery::common {

JobTracker::JobTracker(QObject *parent) : QObject(parent) {}

void JobTracker::startTracked(Job *job)
{
    job->setParent(this);
    m_jobs.append(job);
    connect(job, &Job::finished, this, [this, job] {
        m_jobs.removeAll(job);
        Q_EMIT jobFinished(job);
        job->deleteLater();
    });
    Q_EMIT jobAdded(job);
    job->start();
}

QList<Job *> JobTracker::runningJobs() const
{
    QList<Job *> jobs;
    for (const auto &job : m_jobs)
        if (job)
            jobs.append(job);
    return jobs;
}

void JobTracker::cancelAll()
{
    for (Job *job : runningJobs())
        job->cancel();
}

} // namespace orrery::common
