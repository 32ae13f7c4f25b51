#pragma once
// SlurmJobArray: the tasks of one Slurm job array (`sbatch --array`), each followed as a job of its
// own ("ID_i": queued with Slurm's reason, running on its node, how it ended) while all of them
// share one `scontrol show job ID` per poll — Slurm lists every task of the array there, the
// pending ones folded into ranges ("ArrayTaskId=3-7%2") — so an array of a thousand trials costs
// one scontrol call per poll, not a thousand.
//
// Threads: follow() from any number of threads at once (the snapshot is under a mutex).

#include "core/exec/executor.h"
#include "core/exec/slurm_tools.h"

#include <QElapsedTimer>
#include <QHash>

#include <mutex>

namespace orrery::exec {

class SlurmJobArray final : public JobArray {
public:
    // `folders[i]`: task i's job folder; `exitFiles[i]`: where its script leaves its exit status.
    SlurmJobArray(SlurmTools tools, QString id, QStringList folders, QStringList exitFiles);
    QString id() const override { return m_id; }
    int size() const override { return int(m_exitFiles.size()); }
    Result<JobStatus> follow(int index, const std::atomic<bool> *cancel,
                             const std::function<void(const JobStatus &)> &onUpdate = {}) override;

    // The task indexes one `ArrayTaskId=` value names: "4", "3-7", "3-7%2", "1,4-5".
    static QVector<int> taskIndexes(const QString &arrayTaskId);

private:
    // Task `index`'s record as `scontrol show job ID_index -o` would print it, from the shared snapshot.
    Result<Ran> recordOf(int index);

    SlurmTools m_tools;
    QString m_id;
    QStringList m_folders;
    QStringList m_exitFiles;
    std::mutex m_mutex;
    QElapsedTimer m_fetched;
    QHash<int, QString> m_records;
    Ran m_failure; // scontrol's answer when it gave no records
};

} // namespace orrery::exec
