#pragma once
// ExecutorSet: the executors one run hands work to, by the names executors.yaml uses ("local",
// "slurm", "kubernetes"), each made on first use with the workspace's job folder
// (.orrery/jobs/, on the filesystem the cluster's nodes share) and owned for the run.
//
// Threads: get() from one thread (the run's coordinator); the executors it returns are used from
// any number of worker threads (Executor::run is reentrant).

#include "core/common/status.h"
#include "core/exec/executor.h"

#include <QMap>
#include <QString>

#include <memory>

namespace orrery::exec {

class ExecutorSet {
public:
    explicit ExecutorSet(QString workspaceRoot);
    ~ExecutorSet();
    ExecutorSet(const ExecutorSet &) = delete;
    ExecutorSet &operator=(const ExecutorSet &) = delete;

    // The executor called `name`; an error naming the executors there are for any other name.
    Result<Executor *> get(const QString &name);
    // Where job folders go: `workspaceRoot`/.orrery/jobs.
    QString jobRoot() const;

private:
    QString m_root;
    QMap<QString, std::shared_ptr<Executor>> m_made;
};

} // namespace orrery::exec
