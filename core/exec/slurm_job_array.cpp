#include "core/exec/slurm_job_array.h"

namespace orrery::exec {

SlurmJobArray::SlurmJobArray(SlurmTools tools, QString id, QStringList folders, QStringList exitFiles)
    : m_tools(std::move(tools)), m_id(std::move(id)), m_folders(std::move(folders)), m_exitFiles(std::move(exitFiles))
{
}

QVector<int> SlurmJobArray::taskIndexes(const QString &arrayTaskId)
{
    QVector<int> out;
    for (const QString &part : arrayTaskId.section(QLatin1Char('%'), 0, 0).split(QLatin1Char(','), Qt::SkipEmptyParts)) {
        bool okFirst = false, okLast = false;
        const int first = part.section(QLatin1Char('-'), 0, 0).toInt(&okFirst);
        const int last = part.contains(QLatin1Char('-')) ? part.section(QLatin1Char('-'), 1, 1).toInt(&okLast) : first;
        if (!okFirst || (part.contains(QLatin1Char('-')) && !okLast) || last < first)
            continue;
        for (int i = first; i <= last && out.size() < 1000000; ++i)
            out.push_back(i);
    }
    return out;
}

Result<Ran> SlurmJobArray::recordOf(int index)
{
    std::lock_guard<std::mutex> lock(m_mutex);
    // One scontrol call per poll for all the array's followers.
    if (!m_fetched.isValid() || m_fetched.elapsed() >= m_tools.pollMs / 2) {
        m_fetched.start();
        ORRERY_ASSIGN_OR_RETURN(const Ran shown, m_tools.showJob(m_id));
        if (shown.exitCode == 0 && !shown.out.isEmpty()) {
            m_records.clear();
            m_failure = Ran();
            for (const QString &line : shown.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                for (int i : taskIndexes(slurmField(line, QStringLiteral("ArrayTaskId"))))
                    m_records.insert(i, line);
        } else {
            // Forgotten, or the controller is silent: the followers hear it (a lost job, a wait).
            m_records.clear();
            m_failure = shown;
        }
    }
    if (const auto it = m_records.constFind(index); it != m_records.constEnd()) {
        Ran r;
        r.exitCode = 0;
        r.out = it.value();
        return r;
    }
    if (m_failure.exitCode > 0)
        return m_failure;
    // The array is known but this task is not in it (any more): as Slurm says of a forgotten job.
    Ran r;
    r.exitCode = 1;
    r.err = QStringLiteral("slurm_load_jobs error: Invalid job id specified (task %1 of array %2 is not in Slurm's records)").arg(index).arg(m_id);
    return r;
}

Result<JobStatus> SlurmJobArray::follow(int index, const std::atomic<bool> *cancel, const std::function<void(const JobStatus &)> &onUpdate)
{
    if (index < 0 || index >= size())
        return invalidArgument(QStringLiteral("job array %1 has no task %2").arg(m_id).arg(index));
    return followSlurmJob(m_tools, QStringLiteral("%1_%2").arg(m_id).arg(index), m_folders[index], m_exitFiles[index], [this, index] { return recordOf(index); }, cancel, onUpdate);
}

} // namespace orrery::exec
