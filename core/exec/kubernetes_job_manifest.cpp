#include "core/exec/kubernetes_job_manifest.h"

#include <QDateTime>
#include <QRandomGenerator>
#include <QRegularExpression>

#include <atomic>

namespace orrery::exec {

namespace {

// The names of this machine rather than of the job: never copied into a pod.
const QStringList kHostOnly = {
    QStringLiteral("PATH"),   QStringLiteral("HOME"),   QStringLiteral("PWD"),      QStringLiteral("OLDPWD"),
    QStringLiteral("SHLVL"),  QStringLiteral("_"),      QStringLiteral("HOSTNAME"), QStringLiteral("USER"),
    QStringLiteral("LOGNAME"), QStringLiteral("SHELL"),
};

// Lowercase letters, digits and single '-' between them: a piece of a DNS-1123 label.
QString labelPiece(const QString &text, int maxLength)
{
    static const QRegularExpression notAllowed(QStringLiteral("[^a-z0-9]+"));
    QString s = text.toLower();
    s.replace(notAllowed, QStringLiteral("-"));
    s = s.left(maxLength);
    while (s.startsWith(QLatin1Char('-')))
        s.remove(0, 1);
    while (s.endsWith(QLatin1Char('-')))
        s.chop(1);
    return s;
}

// A label value: what the job is called in Orrery ("stage-train").
QString labelValue(const QString &jobName)
{
    const QString s = labelPiece(jobName, 63);
    return s.isEmpty() ? QStringLiteral("job") : s;
}

} // namespace

QString kubernetesJobName(const QString &jobName)
{
    // "stage train" → "train": the Job is Orrery's (its prefix says so), the stage is what a
    // person looks for in `kubectl get jobs`.
    QString what = jobName;
    if (what.startsWith(QLatin1String("stage ")))
        what = what.mid(6);
    // 63 = "orrery-" + what + "-" + 12 characters of suffix.
    QString piece = labelPiece(what, 63 - 7 - 1 - 12);
    if (piece.isEmpty())
        piece = QStringLiteral("job");
    // Six base-36 digits of the time in milliseconds (they repeat after ~25 days), two of this
    // process's count of names (names made in one millisecond here always differ; four random
    // digits alone collided about once in 15 runs of 500 names), and four random ones (another
    // process in the same millisecond).
    static std::atomic<quint32> made{0};
    static const char kDigits[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    const QString time = QString::number(QDateTime::currentMSecsSinceEpoch(), 36).right(6);
    const quint32 n = made.fetch_add(1) % (36 * 36);
    QString suffix = time + QLatin1Char(kDigits[n / 36]) + QLatin1Char(kDigits[n % 36]);
    for (int i = 0; i < 4; ++i)
        suffix += QLatin1Char(kDigits[QRandomGenerator::global()->bounded(36)]);
    return QStringLiteral("orrery-%1-%2").arg(piece, suffix);
}

QString kubernetesNamespace(const Resources &resources)
{
    return resources.nameSpace.isEmpty() ? QStringLiteral("default") : resources.nameSpace;
}

QJsonArray kubernetesJobEnv(const QProcessEnvironment &env, const QProcessEnvironment &submitter)
{
    QStringList names = env.keys();
    names.sort();
    QJsonArray out;
    for (const QString &name : names) {
        if (kHostOnly.contains(name))
            continue;
        const QString value = env.value(name);
        const bool added = !submitter.contains(name) || submitter.value(name) != value;
        if (!name.startsWith(QLatin1String("ORRERY_")) && !added)
            continue;
        out.append(QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("value"), value}});
    }
    return out;
}

QJsonObject kubernetesJobManifest(const JobSpec &job, const KubernetesJobSettings &settings, const QProcessEnvironment &submitter)
{
    const Resources &r = job.resources;
    const QJsonObject labels{{QStringLiteral("app.kubernetes.io/managed-by"), QStringLiteral("orrery")},
                             {QStringLiteral("orrery.io/job-name"), labelValue(job.name)}};
    const QString root = settings.workspaceRoot.isEmpty() ? job.workDir : settings.workspaceRoot;

    QJsonObject container{
        {QStringLiteral("name"), QStringLiteral("job")},
        {QStringLiteral("image"), r.image},
        {QStringLiteral("command"), QJsonArray{QStringLiteral("/bin/sh"), QStringLiteral("-c"), job.commandLine}},
        {QStringLiteral("workingDir"), job.workDir},
        {QStringLiteral("volumeMounts"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("workspace")},
                                                                {QStringLiteral("mountPath"), root}}}},
    };
    const QJsonArray env = kubernetesJobEnv(job.env, submitter);
    if (!env.isEmpty())
        container.insert(QStringLiteral("env"), env);
    // Requests equal to limits: what executors.yaml asks for, guaranteed and capped.
    QJsonObject amounts;
    if (r.cpus > 0)
        amounts.insert(QStringLiteral("cpu"), QString::number(r.cpus));
    if (r.memoryMb > 0)
        amounts.insert(QStringLiteral("memory"), QStringLiteral("%1Mi").arg(r.memoryMb));
    if (r.gpus > 0)
        amounts.insert(QStringLiteral("nvidia.com/gpu"), QString::number(r.gpus));
    if (!amounts.isEmpty())
        container.insert(QStringLiteral("resources"), QJsonObject{{QStringLiteral("requests"), amounts}, {QStringLiteral("limits"), amounts}});

    const QJsonObject volume = r.volumeClaim.isEmpty()
        ? QJsonObject{{QStringLiteral("name"), QStringLiteral("workspace")},
                      {QStringLiteral("hostPath"), QJsonObject{{QStringLiteral("path"), root}, {QStringLiteral("type"), QStringLiteral("Directory")}}}}
        : QJsonObject{{QStringLiteral("name"), QStringLiteral("workspace")},
                      {QStringLiteral("persistentVolumeClaim"), QJsonObject{{QStringLiteral("claimName"), r.volumeClaim}}}};

    QJsonObject podSpec{
        {QStringLiteral("restartPolicy"), QStringLiteral("Never")},
        {QStringLiteral("containers"), QJsonArray{container}},
        {QStringLiteral("volumes"), QJsonArray{volume}},
    };
    QJsonObject security;
    if (settings.runAsUser >= 0)
        security.insert(QStringLiteral("runAsUser"), settings.runAsUser);
    if (settings.runAsGroup >= 0)
        security.insert(QStringLiteral("runAsGroup"), settings.runAsGroup);
    if (!security.isEmpty())
        podSpec.insert(QStringLiteral("securityContext"), security);

    QJsonObject spec{
        {QStringLiteral("backoffLimit"), 0},
        {QStringLiteral("ttlSecondsAfterFinished"), settings.ttlSecondsAfterFinished},
        {QStringLiteral("template"), QJsonObject{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("labels"), labels}}},
                                                 {QStringLiteral("spec"), podSpec}}},
    };
    // Whole seconds, rounded up: a limit is never shortened.
    if (job.timeoutMs > 0)
        spec.insert(QStringLiteral("activeDeadlineSeconds"), (job.timeoutMs + 999) / 1000);

    return QJsonObject{
        {QStringLiteral("apiVersion"), QStringLiteral("batch/v1")},
        {QStringLiteral("kind"), QStringLiteral("Job")},
        {QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), settings.name},
                                                 {QStringLiteral("namespace"), kubernetesNamespace(r)},
                                                 {QStringLiteral("labels"), labels}}},
        {QStringLiteral("spec"), spec},
    };
}

} // namespace orrery::exec
