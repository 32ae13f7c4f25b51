// core/exec's KubernetesExecutor driven against a fake kubectl on PATH (tests/support/fake_kubectl.py:
// it records every call and answers `get job` / `get pods` from a scenario shaped like a real
// cluster's JSON), since there is no cluster here. Each case checks the states the executor
// reports, how the job ended, its log, and the kubectl calls it made — exactly, in order: pending
// (unschedulable, then pulling its image) → running on node-a → succeeded; a failure with exit 3;
// OOMKilled; a crash; the deadline; cancel (the delete recorded); the Job deleted by someone else;
// an API server that stops answering; and, before anything is applied, a context that does not
// exist, no current context, no image, and kubectl missing from PATH.
#include "core/exec/kubernetes_executor.h"

#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <atomic>

using namespace orrery;
using namespace orrery::exec;

namespace {

QJsonObject condition(const QString &type, const QString &reason = QString(), const QString &message = QString())
{
    QJsonObject c{{QStringLiteral("type"), type}, {QStringLiteral("status"), QStringLiteral("True")}};
    if (!reason.isEmpty())
        c.insert(QStringLiteral("reason"), reason);
    if (!message.isEmpty())
        c.insert(QStringLiteral("message"), message);
    return c;
}

QJsonObject pod(const QString &node, const QString &phase, const QJsonObject &containerState, const QJsonArray &conditions = {})
{
    QJsonObject status{{QStringLiteral("phase"), phase}};
    if (!conditions.isEmpty())
        status.insert(QStringLiteral("conditions"), conditions);
    if (!containerState.isEmpty())
        status.insert(QStringLiteral("containerStatuses"), QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("job")}, {QStringLiteral("state"), containerState}}});
    QJsonObject p{{QStringLiteral("metadata"), QJsonObject{{QStringLiteral("name"), QStringLiteral("the-pod")},
                                                           {QStringLiteral("creationTimestamp"), QStringLiteral("2024-05-01T10:00:00Z")}}},
                  {QStringLiteral("status"), status}};
    if (!node.isEmpty())
        p.insert(QStringLiteral("spec"), QJsonObject{{QStringLiteral("nodeName"), node}});
    return p;
}

QJsonObject step(const QJsonValue &job, const QJsonArray &pods = {})
{
    return QJsonObject{{QStringLiteral("job"), job}, {QStringLiteral("pods"), pods}};
}

QJsonObject unschedulablePod()
{
    return pod(QString(), QStringLiteral("Pending"), {},
               {QJsonObject{{QStringLiteral("type"), QStringLiteral("PodScheduled")}, {QStringLiteral("status"), QStringLiteral("False")},
                            {QStringLiteral("reason"), QStringLiteral("Unschedulable")},
                            {QStringLiteral("message"), QStringLiteral("0/3 nodes are available: 3 Insufficient cpu.")}}});
}

QJsonObject pullingPod()
{
    return pod(QStringLiteral("node-a"), QStringLiteral("Pending"),
               QJsonObject{{QStringLiteral("waiting"), QJsonObject{{QStringLiteral("reason"), QStringLiteral("ImagePullBackOff"),},
                                                                   {QStringLiteral("message"), QStringLiteral("Back-off pulling image \"registry.example/orrery:1\"")}}}},
               {QJsonObject{{QStringLiteral("type"), QStringLiteral("PodScheduled")}, {QStringLiteral("status"), QStringLiteral("True")}}});
}

QJsonObject runningPod()
{
    return pod(QStringLiteral("node-a"), QStringLiteral("Running"), QJsonObject{{QStringLiteral("running"), QJsonObject{{QStringLiteral("startedAt"), QStringLiteral("2024-05-01T10:00:05Z")}}}});
}

QJsonObject endedPod(int exitCode, const QString &reason)
{
    return pod(QStringLiteral("node-a"), exitCode == 0 ? QStringLiteral("Succeeded") : QStringLiteral("Failed"),
               QJsonObject{{QStringLiteral("terminated"), QJsonObject{{QStringLiteral("exitCode"), exitCode}, {QStringLiteral("reason"), reason}}}});
}

const QJsonObject kActive{{QStringLiteral("active"), 1}};

QJsonObject failedJob(const QString &reason = QStringLiteral("BackoffLimitExceeded"), const QString &message = QStringLiteral("Job has reached the specified backoff limit"))
{
    return QJsonObject{{QStringLiteral("failed"), 1}, {QStringLiteral("conditions"), QJsonArray{condition(QStringLiteral("Failed"), reason, message)}}};
}

QString viewOf(const JobStatus &s)
{
    return QStringLiteral("%1|%2|%3").arg(jobStateName(s.state), s.node, s.reason);
}

} // namespace

class TestKubernetesExecutor : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_fake;   // FAKE_KUBECTL_DIR of the current case
    QString m_bin;    // the folder with the fake `kubectl`
    int m_case = 0;

    // A fresh fake cluster answering `scenario`.
    void cluster(QJsonObject scenario)
    {
        m_fake = m_dir.filePath(QStringLiteral("cluster%1").arg(++m_case));
        QVERIFY(QDir().mkpath(m_fake));
        if (!scenario.contains(QStringLiteral("contexts")))
            scenario.insert(QStringLiteral("contexts"), QJsonArray{QStringLiteral("kind-orrery"), QStringLiteral("staging")});
        testing::writeFile(m_fake + QStringLiteral("/scenario.json"), QJsonDocument(scenario).toJson());
    }

    JobSpec job(const QString &name = QStringLiteral("stage train"))
    {
        JobSpec j;
        j.name = name;
        j.commandLine = QStringLiteral("python3 train.py");
        j.workDir = m_dir.path();
        j.logPath = m_dir.filePath(QStringLiteral("case%1.log").arg(m_case));
        testing::writeFile(j.logPath, "$ python3 train.py\n");
        j.env.insert(QStringLiteral("PATH"), m_bin + QStringLiteral(":/usr/bin:/bin"));
        j.env.insert(QStringLiteral("FAKE_KUBECTL_DIR"), m_fake);
        j.env.remove(QStringLiteral("KUBECONFIG")); // messages name ~/.kube/config
        j.resources.image = QStringLiteral("registry.example/orrery:1");
        j.resources.context = QStringLiteral("kind-orrery");
        j.resources.nameSpace = QStringLiteral("ml");
        return j;
    }

    KubernetesExecutor executor(int apiSilenceMs = 60000)
    {
        KubernetesOptions o;
        o.jobRoot = m_dir.filePath(QStringLiteral("jobs"));
        o.workspaceRoot = m_dir.path();
        o.pollMs = 20;
        o.apiSilenceMs = apiSilenceMs;
        return KubernetesExecutor(o);
    }

    // The recorded calls, one "argv joined by spaces" each; every one read no input.
    QStringList calls()
    {
        QStringList out;
        QFile f(m_fake + QStringLiteral("/calls.jsonl"));
        if (!f.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : f.readAll().split('\n')) {
            if (line.isEmpty())
                continue;
            const QJsonObject call = QJsonDocument::fromJson(line).object();
            if (!call.value(QStringLiteral("stdin")).toString().isEmpty())
                out << QStringLiteral("(stdin!) ") + call.value(QStringLiteral("stdin")).toString();
            QStringList argv;
            for (const QJsonValue &a : call.value(QStringLiteral("argv")).toArray())
                argv << a.toString();
            out << argv.join(QLatin1Char(' '));
        }
        return out;
    }

    int jobFolders() const
    {
        return QDir(m_dir.filePath(QStringLiteral("jobs"))).entryList(QDir::NoDotAndDotDot | QDir::AllEntries).size();
    }

    // What the executor asks, in order, when a context is named (namespace ml).
    static QStringList applied(const QString &name, const QString &jobRoot)
    {
        return {QStringLiteral("config get-contexts -o name"),
                QStringLiteral("--context kind-orrery --namespace ml apply -f %1/%2/job.json").arg(jobRoot, name)};
    }
    static QStringList polled(const QString &name, int times)
    {
        QStringList out;
        for (int i = 0; i < times; ++i)
            out << QStringLiteral("--context kind-orrery --namespace ml get job %1 -o json").arg(name)
                << QStringLiteral("--context kind-orrery --namespace ml get pods -l job-name=%1 -o json").arg(name);
        return out;
    }
    static QString logs(const QString &name) { return QStringLiteral("--context kind-orrery --namespace ml logs job/%1").arg(name); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral("/usr/bin/python3")), "no /usr/bin/python3: run packaging/setup.sh --test");
        m_bin = m_dir.filePath(QStringLiteral("bin"));
        testing::writeFile(m_bin + QStringLiteral("/kubectl"),
                           "#!/bin/sh\nexec /usr/bin/python3 " ORRERY_SOURCE_DIR "/tests/support/fake_kubectl.py \"$@\"\n");
        QVERIFY(QFile::setPermissions(m_bin + QStringLiteral("/kubectl"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }

    void aJobWaitsRunsOnItsNodeAndSucceeds()
    {
        cluster({{QStringLiteral("steps"), QJsonArray{step(QJsonObject()),
                                                      step(kActive, {unschedulablePod()}),
                                                      step(kActive, {pullingPod()}),
                                                      step(kActive, {runningPod()}),
                                                      step(QJsonObject{{QStringLiteral("succeeded"), 1}, {QStringLiteral("conditions"), QJsonArray{condition(QStringLiteral("Complete"))}}},
                                                           {endedPod(0, QStringLiteral("Completed"))})}},
                 {QStringLiteral("logs"), QStringLiteral("epoch 1 loss 0.5\nepoch 2 loss 0.25\n")}});
        const JobSpec j = job();
        QStringList views;
        auto ex = executor();
        auto r = ex.run(j, nullptr, [&](const JobStatus &s) {
            views << viewOf(s);
            QVERIFY(s.id.startsWith(QStringLiteral("orrery-train-")));
        });
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Succeeded);
        QCOMPARE(r->exitCode, 0);
        QCOMPARE(r->node, QStringLiteral("node-a"));
        QCOMPARE(views, (QStringList{QStringLiteral("queued||"),
                                     QStringLiteral("queued||Unschedulable: 0/3 nodes are available: 3 Insufficient cpu."),
                                     QStringLiteral("queued|node-a|ImagePullBackOff: Back-off pulling image \"registry.example/orrery:1\""),
                                     QStringLiteral("running|node-a|"),
                                     QStringLiteral("succeeded|node-a|")}));
        JobStatus running = *r;
        running.state = JobState::Running;
        QCOMPARE(describeJob(ex.name(), running), QStringLiteral("running · kubernetes job %1 on node-a").arg(r->id));
        const QString jobRoot = m_dir.filePath(QStringLiteral("jobs"));
        QCOMPARE(calls(), applied(r->id, jobRoot) + polled(r->id, 5) + QStringList{logs(r->id)});
        // The manifest applied is the one kept in the job's folder, for this job.
        const QJsonObject manifest = QJsonDocument::fromJson(testing::readFile(QStringLiteral("%1/%2/job.json").arg(jobRoot, r->id))).object();
        QCOMPARE(manifest[QStringLiteral("metadata")][QStringLiteral("name")].toString(), r->id);
        QCOMPARE(manifest[QStringLiteral("metadata")][QStringLiteral("namespace")].toString(), QStringLiteral("ml"));
        QCOMPARE(manifest[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")][QStringLiteral("containers")][0][QStringLiteral("command")].toArray(),
                 (QJsonArray{QStringLiteral("/bin/sh"), QStringLiteral("-c"), QStringLiteral("python3 train.py")}));
        QCOMPARE(QJsonDocument::fromJson(testing::readFile(m_fake + QStringLiteral("/applied.json"))).object(), manifest);
        // The pod's output follows what the log held.
        QCOMPARE(testing::readFile(j.logPath), QByteArray("$ python3 train.py\nepoch 1 loss 0.5\nepoch 2 loss 0.25\n"));
    }

    void aFailureEndsWithItsExitCode()
    {
        cluster({{QStringLiteral("steps"), QJsonArray{step(kActive, {runningPod()}), step(failedJob(), {endedPod(3, QStringLiteral("Error"))})}},
                 {QStringLiteral("logs"), QStringLiteral("Traceback: no such file train.csv\n")}});
        const JobSpec j = job();
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Failed);
        QCOMPARE(r->exitCode, 3);
        QCOMPARE(r->reason, QString());
        QCOMPARE(calls(), applied(r->id, m_dir.filePath(QStringLiteral("jobs"))) + polled(r->id, 2) + QStringList{logs(r->id)});
        QVERIFY(testing::readFile(j.logPath).endsWith("Traceback: no such file train.csv\n"));
    }

    void outOfMemoryFailsWithTheReason()
    {
        cluster({{QStringLiteral("steps"), QJsonArray{step(failedJob(), {endedPod(137, QStringLiteral("OOMKilled"))})}}});
        auto ex = executor();
        auto r = ex.run(job(), nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Failed);
        QCOMPARE(r->exitCode, 137);
        QVERIFY2(r->reason.contains(QStringLiteral("OOMKilled")) && r->reason.contains(QStringLiteral("ask for more memory")), qPrintable(r->reason));
    }

    void aSignalIsACrash()
    {
        cluster({{QStringLiteral("steps"), QJsonArray{step(failedJob(), {endedPod(139, QStringLiteral("Error"))})}}});
        auto ex = executor();
        auto r = ex.run(job(), nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Crashed);
        QVERIFY2(r->reason.startsWith(QStringLiteral("signal 11")), qPrintable(r->reason));
    }

    void theDeadlineIsATimeout()
    {
        cluster({{QStringLiteral("steps"), QJsonArray{step(kActive, {runningPod()}),
                                                      step(failedJob(QStringLiteral("DeadlineExceeded"), QStringLiteral("Job was active longer than specified deadline")))}},
                 {QStringLiteral("logs_error"), QStringLiteral("error: timed out waiting for the condition")}});
        JobSpec j = job();
        j.timeoutMs = 1500;
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(jobStateName(r->state), QStringLiteral("timed out"));
        QCOMPARE(r->reason, QStringLiteral("Kubernetes stopped it at its deadline (activeDeadlineSeconds 2): DeadlineExceeded: Job was active longer than specified deadline"));
        QCOMPARE(calls(), applied(r->id, m_dir.filePath(QStringLiteral("jobs"))) + polled(r->id, 2) + QStringList{logs(r->id)});
        // Its pod went with the deadline: the log says why there is no output.
        QVERIFY2(testing::readFile(j.logPath).contains(QStringLiteral("orrery: kubectl logs job/%1 gave no log: error: timed out waiting for the condition").arg(r->id).toUtf8()),
                 testing::readFile(j.logPath).constData());
    }

    void cancelDeletesTheJob()
    {
        cluster({{QStringLiteral("steps"), QJsonArray{step(kActive, {unschedulablePod()}), step(kActive, {runningPod()})}},
                 {QStringLiteral("logs"), QStringLiteral("epoch 1\n")}});
        const JobSpec j = job();
        std::atomic<bool> cancel{false};
        auto ex = executor();
        auto r = ex.run(j, &cancel, [&](const JobStatus &s) {
            if (s.state == JobState::Running)
                cancel = true;
        });
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Cancelled);
        QCOMPARE(r->reason, QString());
        // The log as far as it got, then the delete, then the Job is gone.
        const QStringList expected = applied(r->id, m_dir.filePath(QStringLiteral("jobs"))) + polled(r->id, 2)
            + QStringList{logs(r->id),
                          QStringLiteral("--context kind-orrery --namespace ml delete job %1 --wait=false --cascade=foreground").arg(r->id),
                          QStringLiteral("--context kind-orrery --namespace ml get job %1 -o json").arg(r->id)};
        QCOMPARE(calls(), expected);
        QVERIFY(testing::readFile(j.logPath).endsWith("epoch 1\n"));
    }

    void aJobCancelledBeforeItIsAppliedIsNeverApplied()
    {
        cluster({});
        std::atomic<bool> cancel{true};
        auto ex = executor();
        auto r = ex.run(job(), &cancel);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Cancelled);
        QCOMPARE(calls(), QStringList{QStringLiteral("config get-contexts -o name")});
    }

    void aJobDeletedOutsideOrreryIsSaidSo()
    {
        cluster({{QStringLiteral("steps"), QJsonArray{step(kActive, {runningPod()}), step(QJsonValue::Null)}}});
        auto ex = executor();
        auto r = ex.run(job(), nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Cancelled);
        QVERIFY2(r->reason.contains(QStringLiteral("deleted outside Orrery")), qPrintable(r->reason));
        // Nothing left to read a log from, nothing to delete.
        const QStringList expected = applied(r->id, m_dir.filePath(QStringLiteral("jobs"))) + polled(r->id, 1)
            + QStringList{QStringLiteral("--context kind-orrery --namespace ml get job %1 -o json").arg(r->id)};
        QCOMPARE(calls(), expected);
    }

    void aSilentApiServerLosesTheJob()
    {
        cluster({{QStringLiteral("api_error"), QStringLiteral("Unable to connect to the server: dial tcp 10.0.0.1:6443: connect: connection refused")}});
        auto ex = executor(300);
        auto r = ex.run(job(), nullptr);
        QVERIFY2(r, qPrintable(r.status().message()));
        QCOMPARE(r->state, JobState::Lost);
        QVERIFY2(r->reason.contains(QStringLiteral("did not answer for 0.3 s")) && r->reason.contains(QStringLiteral("connection refused")), qPrintable(r->reason));
        QVERIFY(!calls().contains(logs(r->id)));
    }

    void aContextThatDoesNotExistIsNamedBeforeAnythingIsApplied()
    {
        cluster({});
        JobSpec j = job();
        j.resources.context = QStringLiteral("prod-eu");
        const int before = jobFolders();
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY(!r);
        QCOMPARE(r.status().message(), QStringLiteral("stage train names Kubernetes context 'prod-eu', which kubectl does not have (~/.kube/config); "
                                                      "its contexts: kind-orrery, staging. Fix context: in executors.yaml, or add the context with kubectl config set-context"));
        QCOMPARE(calls(), QStringList{QStringLiteral("config get-contexts -o name")});
        QCOMPARE(jobFolders(), before);
    }

    void noCurrentContextIsNamedToo()
    {
        cluster({});
        JobSpec j = job();
        j.resources.context.clear();
        j.env.insert(QStringLiteral("KUBECONFIG"), QStringLiteral("/etc/orrery/kubeconfig"));
        auto ex = executor();
        auto r = ex.check(j.name, j.resources, j.env);
        QVERIFY(!r.isOk());
        QCOMPARE(r.message(), QStringLiteral("stage train runs on Kubernetes with kubectl's current context, but there is none "
                                             "(KUBECONFIG=/etc/orrery/kubeconfig: error: current-context is not set); its contexts: kind-orrery, staging. "
                                             "Name one with context: in executors.yaml, or choose one with kubectl config use-context"));
        QCOMPARE(calls(), (QStringList{QStringLiteral("config get-contexts -o name"), QStringLiteral("config current-context")}));
        // With one set, the job goes to it: no --context on the calls.
        cluster({{QStringLiteral("current"), QStringLiteral("staging")},
                 {QStringLiteral("steps"), QJsonArray{step(QJsonObject{{QStringLiteral("conditions"), QJsonArray{condition(QStringLiteral("Complete"))}}}, {endedPod(0, QStringLiteral("Completed"))})}}});
        j.env.insert(QStringLiteral("FAKE_KUBECTL_DIR"), m_fake);
        j.resources.nameSpace.clear();
        auto ran = ex.run(j, nullptr);
        QVERIFY2(ran, qPrintable(ran.status().message()));
        QCOMPARE(ran->state, JobState::Succeeded);
        QCOMPARE(calls(), (QStringList{QStringLiteral("config get-contexts -o name"), QStringLiteral("config current-context"),
                                       QStringLiteral("--namespace default apply -f %1/%2/job.json").arg(m_dir.filePath(QStringLiteral("jobs")), ran->id),
                                       QStringLiteral("--namespace default get job %1 -o json").arg(ran->id),
                                       QStringLiteral("--namespace default get pods -l job-name=%1 -o json").arg(ran->id),
                                       QStringLiteral("--namespace default logs job/%1").arg(ran->id)}));
    }

    void aRefusalIsShownAsKubernetesSaidIt()
    {
        cluster({{QStringLiteral("apply_error"), QStringLiteral("Error from server (Forbidden): jobs.batch is forbidden: User \"ada\" cannot create resource \"jobs\" in namespace \"ml\"")}});
        auto ex = executor();
        auto r = ex.run(job(), nullptr);
        QVERIFY(!r);
        QVERIFY2(r.status().message().startsWith(QStringLiteral("Kubernetes refused stage train (")) &&
                     r.status().message().endsWith(QStringLiteral("): Error from server (Forbidden): jobs.batch is forbidden: User \"ada\" cannot create resource \"jobs\" in namespace \"ml\"")),
                 qPrintable(r.status().message()));
        QCOMPARE(calls().size(), 2);
    }

    void noImageIsNamedWithTheFix()
    {
        cluster({});
        JobSpec j = job();
        j.resources.image.clear();
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY(!r);
        QCOMPARE(r.status().message(), QStringLiteral("stage train runs on kubernetes but names no image; build one with "
                                                      "`orrery-cli export containerfile ENDPOINT --out DIR` (Orrery on debian:12) and name it with image: in executors.yaml"));
        QCOMPARE(calls(), QStringList());
    }

    void kubectlMissingFromPathIsNamed()
    {
        cluster({});
        const QString empty = m_dir.filePath(QStringLiteral("empty-bin"));
        QVERIFY(QDir().mkpath(empty));
        JobSpec j = job();
        j.env.insert(QStringLiteral("PATH"), empty);
        auto ex = executor();
        auto r = ex.run(j, nullptr);
        QVERIFY(!r);
        QCOMPARE(r.status().message(), QStringLiteral("stage train runs on Kubernetes, but kubectl is not on PATH (%1); install kubectl "
                                                      "(https://kubernetes.io/docs/tasks/tools/) or set its executor to local in executors.yaml").arg(empty));
        QCOMPARE(calls(), QStringList());
    }
};

QTEST_GUILESS_MAIN(TestKubernetesExecutor)
#include "tst_kubernetes_executor.moc"
