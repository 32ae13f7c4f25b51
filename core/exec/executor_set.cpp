#include "core/exec/executor_set.h"

#include "core/exec/kubernetes_executor.h"
#include "core/exec/placement.h"
#include "core/exec/slurm_executor.h"

#include <QDir>

namespace orrery::exec {

ExecutorSet::ExecutorSet(QString workspaceRoot) : m_root(std::move(workspaceRoot)) {}

ExecutorSet::~ExecutorSet() = default;

QString ExecutorSet::jobRoot() const
{
    return QDir(m_root).filePath(QStringLiteral(".orrery/jobs"));
}

Result<Executor *> ExecutorSet::get(const QString &name)
{
    if (name.isEmpty() || name == QLatin1String("local"))
        return &localExecutor();
    if (auto it = m_made.constFind(name); it != m_made.constEnd())
        return it.value().get();
    std::shared_ptr<Executor> made;
    if (name == QLatin1String("slurm")) {
        SlurmOptions o;
        o.jobRoot = jobRoot();
        made = std::make_shared<SlurmExecutor>(o);
    } else if (name == QLatin1String("kubernetes")) {
        // The workspace is the pod's volume, mounted where it is here (kubernetes_job_manifest.h).
        KubernetesOptions o;
        o.jobRoot = jobRoot();
        o.workspaceRoot = QDir(m_root).absolutePath();
        made = std::make_shared<KubernetesExecutor>(o);
    } else {
        return invalidArgument(QStringLiteral("no executor called '%1'; the executors are: %2").arg(name, executorNames().join(QStringLiteral(", "))));
    }
    m_made.insert(name, made);
    return made.get();
}

} // namespace orrery::exec
