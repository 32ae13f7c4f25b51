#include "core/exec/kubernetes_executor.h"

#include "core/common/atomic_file.h"
#include "core/exec/kubernetes_job_manifest.h"
#include "core/exec/kubernetes_job_state.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QThread>

#include <unistd.h>

namespace orrery::exec {

namespace {

struct Ran {
    int exitCode = -1;
    QByteArray out;   // as printed (a log is appended byte for byte)
    QString err;      // trimmed
};

// One kubectl command. kubectl answers within seconds unless the API server is unreachable, when
// it says so itself after its own timeout; 60 s bounds a hung one.
Result<Ran> kubectl(const QString &program, const QStringList &args, const QProcessEnvironment &env)
{
    QProcess p;
    p.setProcessEnvironment(env);
    p.start(program, args);
    if (!p.waitForStarted(10000))
        return ioError(QStringLiteral("could not start %1: %2").arg(program, p.errorString()));
    // Nothing is ever typed to it: a credential plugin that asks reads end of file, not a hang.
    p.closeWriteChannel();
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished(2000);
        return ioError(QStringLiteral("kubectl %1 did not answer within 60 s").arg(args.join(QLatin1Char(' '))));
    }
    Ran r;
    r.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    r.out = p.readAllStandardOutput();
    r.err = QString::fromLocal8Bit(p.readAllStandardError()).trimmed();
    return r;
}

QStringList searchPath(const QProcessEnvironment &env)
{
    return env.value(QStringLiteral("PATH"), qEnvironmentVariable("PATH")).split(QLatin1Char(':'), Qt::SkipEmptyParts);
}

// Where kubectl reads its contexts from, for messages.
QString kubeconfigOf(const QProcessEnvironment &env)
{
    const QString set = env.value(QStringLiteral("KUBECONFIG"));
    return set.isEmpty() ? QStringLiteral("~/.kube/config") : QStringLiteral("KUBECONFIG=") + set;
}

bool notFound(const Ran &r)
{
    return r.exitCode != 0 && (r.err.contains(QLatin1String("NotFound")) || r.err.contains(QLatin1String("not found")));
}

bool sameView(const JobStatus &a, const JobStatus &b)
{
    return a.state == b.state && a.reason == b.reason && a.node == b.node;
}

void appendToLog(const QString &logPath, const QByteArray &bytes)
{
    if (logPath.isEmpty() || bytes.isEmpty())
        return;
    QFile log(logPath);
    if (!log.open(QIODevice::WriteOnly | QIODevice::Append))
        qWarning("cannot append to the job's log %s: %s", qPrintable(logPath), qPrintable(log.errorString()));
    else
        log.write(bytes);
}

} // namespace

KubernetesExecutor::KubernetesExecutor(KubernetesOptions options) : m_options(std::move(options)) {}

Status KubernetesExecutor::check(const QString &what, const Resources &resources, const QProcessEnvironment &env) const
{
    const QString kubectlPath = QStandardPaths::findExecutable(QStringLiteral("kubectl"), searchPath(env));
    if (kubectlPath.isEmpty())
        return invalidArgument(QStringLiteral("%1 runs on Kubernetes, but kubectl is not on PATH (%2); install kubectl "
                                              "(https://kubernetes.io/docs/tasks/tools/) or set its executor to local in executors.yaml")
                                   .arg(what, env.value(QStringLiteral("PATH"), qEnvironmentVariable("PATH"))));
    if (resources.image.isEmpty())
        return invalidArgument(QStringLiteral("%1 runs on kubernetes but names no image; build one with "
                                              "`orrery-cli export containerfile ENDPOINT --out DIR` (Orrery on debian:12) and name it "
                                              "with image: in executors.yaml")
                                   .arg(what));
    // The contexts there are, for the messages and the check of a named one.
    ORRERY_ASSIGN_OR_RETURN(const Ran listed, kubectl(kubectlPath, {QStringLiteral("config"), QStringLiteral("get-contexts"), QStringLiteral("-o"), QStringLiteral("name")}, env));
    if (listed.exitCode != 0)
        return invalidArgument(QStringLiteral("%1 runs on Kubernetes, but kubectl could not list its contexts (%2): %3")
                                   .arg(what, kubeconfigOf(env), listed.err));
    const QStringList contexts = QString::fromUtf8(listed.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    const QString known = contexts.isEmpty() ? QStringLiteral("none") : contexts.join(QStringLiteral(", "));
    if (!resources.context.isEmpty()) {
        if (contexts.contains(resources.context))
            return Status::ok();
        return invalidArgument(QStringLiteral("%1 names Kubernetes context '%2', which kubectl does not have (%3); its contexts: %4. "
                                              "Fix context: in executors.yaml, or add the context with kubectl config set-context")
                                   .arg(what, resources.context, kubeconfigOf(env), known));
    }
    ORRERY_ASSIGN_OR_RETURN(const Ran current, kubectl(kubectlPath, {QStringLiteral("config"), QStringLiteral("current-context")}, env));
    if (current.exitCode != 0 || current.out.trimmed().isEmpty())
        return invalidArgument(QStringLiteral("%1 runs on Kubernetes with kubectl's current context, but there is none (%2: %3); its contexts: %4. "
                                              "Name one with context: in executors.yaml, or choose one with kubectl config use-context")
                                   .arg(what, kubeconfigOf(env), current.err, known));
    return Status::ok();
}

Result<JobStatus> KubernetesExecutor::run(const JobSpec &job, const std::atomic<bool> *cancel,
                                          const std::function<void(const JobStatus &)> &onUpdate)
{
    ORRERY_TRY(check(job.name, job.resources, job.env));
    // Cancelled while it was being checked: nothing to apply only to delete it again.
    if (cancel && cancel->load()) {
        JobStatus cancelled;
        cancelled.state = JobState::Cancelled; // nothing applied, no job folder
        if (onUpdate)
            onUpdate(cancelled);
        return cancelled;
    }
    const QString kubectlPath = QStandardPaths::findExecutable(QStringLiteral("kubectl"), searchPath(job.env));

    // The job's folder and the manifest applied, kept for a person to read.
    KubernetesJobSettings settings;
    settings.name = kubernetesJobName(job.name);
    settings.workspaceRoot = m_options.workspaceRoot;
    settings.ttlSecondsAfterFinished = m_options.ttlSecondsAfterFinished;
    settings.runAsUser = qint64(::getuid());
    settings.runAsGroup = qint64(::getgid());
    const QString name = settings.name;
    const QString folder = QDir(m_options.jobRoot).filePath(name);
    if (!QDir().mkpath(folder))
        return ioError(QStringLiteral("cannot make the job folder %1").arg(folder));
    const QString manifestFile = QDir(folder).filePath(QStringLiteral("job.json"));
    // The pod finds its folder (on the workspace's volume, at the same path) in kJobDirVariable.
    JobSpec placed = job;
    placed.env.insert(QLatin1String(kJobDirVariable), folder);
    ORRERY_TRY(common::writeFileAtomically(manifestFile, QJsonDocument(kubernetesJobManifest(placed, settings)).toJson(QJsonDocument::Indented)));

    QStringList scope;
    if (!job.resources.context.isEmpty())
        scope << QStringLiteral("--context") << job.resources.context;
    scope << QStringLiteral("--namespace") << kubernetesNamespace(job.resources);

    ORRERY_ASSIGN_OR_RETURN(const Ran applied, kubectl(kubectlPath, scope + QStringList{QStringLiteral("apply"), QStringLiteral("-f"), manifestFile}, job.env));
    if (applied.exitCode != 0)
        return invalidArgument(QStringLiteral("Kubernetes refused %1 (%2): %3")
                                   .arg(job.name, manifestFile, applied.err.isEmpty() ? QString::fromUtf8(applied.out).trimmed() : applied.err));

    // The whole output of the Job's pod, appended to the job's log; a note there when kubectl
    // cannot give it (the pod was deleted at its deadline, or never started).
    auto collectLog = [&] {
        auto logs = kubectl(kubectlPath, scope + QStringList{QStringLiteral("logs"), QStringLiteral("job/") + name}, job.env);
        if (logs && logs->exitCode == 0)
            appendToLog(job.logPath, logs->out);
        else
            appendToLog(job.logPath, QStringLiteral("orrery: kubectl logs job/%1 gave no log: %2\n").arg(name, logs ? logs->err : logs.status().message()).toUtf8());
    };

    JobStatus last;
    last.id = name;
    last.jobDir = folder;
    last.state = JobState::Pending;
    if (onUpdate)
        onUpdate(last);
    bool cancelSent = false;
    QElapsedTimer sinceCancel;
    QElapsedTimer silence;
    for (;;) {
        if (cancel && cancel->load() && !cancelSent) {
            cancelSent = true;
            sinceCancel.start();
            collectLog();
            // Foreground: the Job object stays (being deleted) until its pods are gone, so "gone"
            // below means the command has stopped.
            auto deleted = kubectl(kubectlPath, scope + QStringList{QStringLiteral("delete"), QStringLiteral("job"), name, QStringLiteral("--wait=false"),
                                                                   QStringLiteral("--cascade=foreground")}, job.env);
            if (!deleted || (deleted->exitCode != 0 && !notFound(*deleted)))
                qWarning("kubectl delete job %s failed: %s", qPrintable(name), qPrintable(deleted ? deleted->err : deleted.status().message()));
        }
        JobStatus now = last;
        bool answered = false;
        bool readable = false; // the Job and its pod are there to read a log from
        QString why;           // what kubectl said when it did not answer
        auto shown = kubectl(kubectlPath, scope + QStringList{QStringLiteral("get"), QStringLiteral("job"), name, QStringLiteral("-o"), QStringLiteral("json")}, job.env);
        if (!shown) {
            why = shown.status().message();
        } else if (notFound(*shown)) {
            answered = true;
            now.state = JobState::Cancelled;
            now.reason = cancelSent ? QString()
                                    : QStringLiteral("the Job was deleted outside Orrery (kubectl delete, or an administrator); run the stage again");
        } else if (shown->exitCode != 0) {
            why = shown->err;
        } else {
            const QJsonObject jobObject = QJsonDocument::fromJson(shown->out).object();
            auto pods = kubectl(kubectlPath, scope + QStringList{QStringLiteral("get"), QStringLiteral("pods"), QStringLiteral("-l"), QStringLiteral("job-name=") + name,
                                                                QStringLiteral("-o"), QStringLiteral("json")}, job.env);
            if (jobObject.isEmpty()) {
                why = QStringLiteral("kubectl get job printed no JSON object: ") + QString::fromUtf8(shown->out.left(200));
            } else if (!pods || pods->exitCode != 0) {
                why = pods ? pods->err : pods.status().message();
            } else {
                answered = true;
                readable = true;
                now = kubernetesJobStatus(jobObject, QJsonDocument::fromJson(pods->out).object().value(QLatin1String("items")).toArray());
                if (cancelSent && now.finished()) {
                    now.state = JobState::Cancelled;
                    now.reason.clear();
                } else if (cancelSent && sinceCancel.elapsed() > m_options.cancelWaitMs) {
                    // Deleted, but its pod outlives the wait: the delete stands, the stage is over.
                    now.state = JobState::Cancelled;
                    now.reason = QStringLiteral("kubectl delete was accepted; the pod was still stopping after %1 s").arg(double(m_options.cancelWaitMs) / 1000.0);
                }
            }
        }
        if (answered) {
            silence.invalidate();
        } else {
            // The API server does not answer: wait for it, up to a limit.
            if (!silence.isValid())
                silence.start();
            if (silence.elapsed() > m_options.apiSilenceMs) {
                now.state = JobState::Lost;
                now.reason = QStringLiteral("Kubernetes' API server did not answer for %1 s about Job %2: %3").arg(double(m_options.apiSilenceMs) / 1000.0).arg(name, why);
            }
        }
        now.id = name;
        now.jobDir = folder;
        if (now.finished()) {
            // On cancel the log was read before the delete.
            if (readable && !cancelSent)
                collectLog();
            if (onUpdate)
                onUpdate(now);
            return now;
        }
        if (!sameView(now, last)) {
            last = now;
            if (onUpdate)
                onUpdate(now);
        }
        for (int waited = 0; waited < m_options.pollMs; waited += 25) {
            if (cancel && cancel->load() && !cancelSent)
                break;
            QThread::msleep(25);
        }
    }
}

} // namespace orrery::exec
