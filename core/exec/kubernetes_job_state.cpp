#include "core/exec/kubernetes_job_state.h"

#include <csignal>
#include <cstring>

namespace orrery::exec {

namespace {

QJsonObject at(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toObject();
}

QString text(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toString();
}

// The condition of `type` whose status is "True"; empty when there is none.
QJsonObject trueCondition(const QJsonObject &status, const QString &type)
{
    for (const QJsonValue &c : status.value(QLatin1String("conditions")).toArray())
        if (text(c.toObject(), "type") == type && text(c.toObject(), "status") == QLatin1String("True"))
            return c.toObject();
    return {};
}

// "REASON: message", or whichever of them there is.
QString reasonAndMessage(const QJsonObject &o)
{
    const QString reason = text(o, "reason");
    const QString message = text(o, "message").trimmed();
    if (reason.isEmpty())
        return message;
    return message.isEmpty() ? reason : reason + QStringLiteral(": ") + message;
}

// The newest pod: RFC 3339 times in UTC sort as text.
QJsonObject newestPod(const QJsonArray &pods)
{
    QJsonObject newest;
    for (const QJsonValue &v : pods) {
        const QJsonObject pod = v.toObject();
        if (newest.isEmpty() || text(at(pod, "metadata"), "creationTimestamp") >= text(at(newest, "metadata"), "creationTimestamp"))
            newest = pod;
    }
    return newest;
}

// The state of the job's container ("job", the one the manifest makes; else the first).
QJsonObject containerState(const QJsonObject &pod)
{
    const QJsonArray statuses = at(pod, "status").value(QLatin1String("containerStatuses")).toArray();
    for (const QJsonValue &v : statuses)
        if (text(v.toObject(), "name") == QLatin1String("job"))
            return at(v.toObject(), "state");
    return statuses.isEmpty() ? QJsonObject() : at(statuses.first().toObject(), "state");
}

QString signalText(int signal)
{
    return QStringLiteral("signal %1, %2").arg(signal).arg(QString::fromLocal8Bit(::strsignal(signal)));
}

} // namespace

JobStatus kubernetesJobStatus(const QJsonObject &job, const QJsonArray &pods)
{
    JobStatus s;
    s.id = text(at(job, "metadata"), "name");
    const QJsonObject pod = newestPod(pods);
    s.node = text(at(pod, "spec"), "nodeName");
    const QJsonObject jobStatus = at(job, "status");
    const QJsonObject state = containerState(pod);
    const QJsonObject terminated = at(state, "terminated");

    if (!trueCondition(jobStatus, QStringLiteral("Complete")).isEmpty()) {
        s.state = JobState::Succeeded;
        s.exitCode = 0;
        return s;
    }
    if (const QJsonObject failed = trueCondition(jobStatus, QStringLiteral("Failed")); !failed.isEmpty()) {
        if (text(failed, "reason") == QLatin1String("DeadlineExceeded")) {
            s.state = JobState::TimedOut;
            s.reason = QStringLiteral("Kubernetes stopped it at its deadline (activeDeadlineSeconds %1): %2")
                           .arg(at(job, "spec").value(QLatin1String("activeDeadlineSeconds")).toInteger())
                           .arg(reasonAndMessage(failed));
            return s;
        }
        if (!terminated.isEmpty()) {
            s.exitCode = terminated.value(QLatin1String("exitCode")).toInt();
            const int signal = terminated.value(QLatin1String("signal")).toInt();
            if (text(terminated, "reason") == QLatin1String("OOMKilled")) {
                s.state = JobState::Failed;
                s.reason = QStringLiteral("Kubernetes killed it for using more memory than its limit (OOMKilled); ask for more memory in executors.yaml");
            } else if (signal > 0 || (s.exitCode > 128 && s.exitCode < 128 + NSIG)) {
                s.state = JobState::Crashed;
                s.reason = signalText(signal > 0 ? signal : s.exitCode - 128);
            } else if (s.exitCode != 0) {
                s.state = JobState::Failed;
            } else {
                s.state = JobState::Lost;
                s.reason = QStringLiteral("Kubernetes failed the Job (%1) although its command exited with 0").arg(reasonAndMessage(failed));
            }
            return s;
        }
        // No container ended: the pod was evicted, deleted or never started.
        s.state = JobState::Lost;
        const QString podWhy = reasonAndMessage(at(pod, "status"));
        s.reason = QStringLiteral("Kubernetes failed the Job (%1)%2")
                       .arg(reasonAndMessage(failed), podWhy.isEmpty() ? QString() : QStringLiteral("; its pod: ") + podWhy);
        return s;
    }

    // No verdict yet.
    const QString phase = text(at(pod, "status"), "phase");
    if (pod.isEmpty()) {
        s.state = JobState::Pending;
        return s;
    }
    if (phase == QLatin1String("Pending") || phase.isEmpty()) {
        s.state = JobState::Pending;
        for (const QJsonValue &c : at(pod, "status").value(QLatin1String("conditions")).toArray())
            if (text(c.toObject(), "type") == QLatin1String("PodScheduled") && text(c.toObject(), "status") == QLatin1String("False"))
                s.reason = reasonAndMessage(c.toObject());
        if (s.reason.isEmpty())
            s.reason = reasonAndMessage(at(state, "waiting"));
        return s;
    }
    // Running, or ended with the Job controller yet to say how (its condition comes next).
    s.state = JobState::Running;
    return s;
}

} // namespace orrery::exec
