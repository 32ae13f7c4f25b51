// A pipeline stage placed on Kubernetes, end to end through `orrery-cli run`, with no cluster: a
// fake kubectl on PATH (tests/support/fake_kubectl.py in its "run" mode) records every call and,
// when the Job is applied, runs the container's command from the manifest on this machine — in
// its workingDir, with its env — so the stage's outs appear as they would on the pod's volume.
// Checked: `run --json` says where each stage ran (kubernetes, the Job's name, its node), the
// manifest applied is a valid batch/v1 Job (kubernetes-models) with the workspace mounted at its
// own path, dvc.lock is the one an all-local run of the same pipeline writes, and the next run
// skips the stage wherever it is placed (the cache does not care where a stage ran). Bad input,
// before anything is applied: a context kubectl does not have, and a stage with no image.
#include "tests/support/test_support.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using Run = orrery::testing::ProcessResult;
using orrery::testing::readFile;
using orrery::testing::runCli;
using orrery::testing::writeFile;

namespace {

const QByteArray kPipeline = "stages:\n"
                             "  prepare:\n"
                             "    cmd: tr a-z A-Z < in.txt > upper.txt\n"
                             "    deps: [in.txt]\n"
                             "    outs: [upper.txt]\n"
                             "  train:\n"
                             "    cmd: mkdir -p models && wc -c < upper.txt > models/model.txt && echo \"trained in $(pwd) as run $ORRERY_PARENT_RUN_ID\"\n"
                             "    deps: [upper.txt]\n"
                             "    outs: [models/model.txt]\n";

const QByteArray kOnKubernetes = "stages:\n"
                                 "  train:\n"
                                 "    executor: kubernetes\n"
                                 "    image: registry.example/orrery:1\n"
                                 "    namespace: ml\n"
                                 "    context: kind-orrery\n"
                                 "    cpus: 1\n"
                                 "    memory: 512M\n";

QJsonObject stageOf(const QJsonObject &report, const QString &name)
{
    for (const QJsonValue &v : report.value(QStringLiteral("stages")).toArray())
        if (v[QStringLiteral("name")].toString() == name)
            return v.toObject();
    return {};
}

} // namespace

class TstCliKubernetes : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_bin;

    // A fresh workspace holding the pipeline, and a fresh fake cluster; the workspace's path.
    QString workspace(const QString &name)
    {
        const QString ws = m_dir.filePath(name);
        const Run init = runCli({QStringLiteral("init"), ws});
        if (!init.ok())
            qFatal("%s", qPrintable(init.describe()));
        writeFile(ws + QStringLiteral("/in.txt"), "hello kubernetes\n");
        writeFile(ws + QStringLiteral("/dvc.yaml"), kPipeline);
        QDir().mkpath(cluster(name));
        writeFile(cluster(name) + QStringLiteral("/scenario.json"),
                  R"({"contexts": ["kind-orrery", "staging"], "current": "kind-orrery", "run": true})");
        return ws;
    }

    QString cluster(const QString &name) const { return m_dir.filePath(name + QStringLiteral("-cluster")); }

    Run cli(const QString &name, const QStringList &args)
    {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("PATH"), m_bin + QLatin1Char(':') + env.value(QStringLiteral("PATH")));
        env.insert(QStringLiteral("FAKE_KUBECTL_DIR"), cluster(name));
        orrery::testing::ProcessOptions options;
        options.workingDirectory = m_dir.filePath(name);
        options.environment = env;
        return runCli(args, options);
    }

    QStringList calls(const QString &name)
    {
        QStringList out;
        QFile f(cluster(name) + QStringLiteral("/calls.jsonl"));
        if (!f.open(QIODevice::ReadOnly))
            return out;
        for (const QByteArray &line : f.readAll().split('\n')) {
            QStringList argv;
            for (const QJsonValue &a : QJsonDocument::fromJson(line).object().value(QStringLiteral("argv")).toArray())
                argv << a.toString();
            if (!argv.isEmpty())
                out << argv.join(QLatin1Char(' '));
        }
        return out;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral("/usr/bin/python3")), "no /usr/bin/python3: run packaging/setup.sh --test");
        QVERIFY2(QFile::exists(QStringLiteral(ORRERY_SOURCE_DIR "/tests/deploy/node_modules/kubernetes-models/package.json")),
                 "the npm validators are missing: run packaging/setup.sh --test");
        m_bin = m_dir.filePath(QStringLiteral("bin"));
        writeFile(m_bin + QStringLiteral("/kubectl"), "#!/bin/sh\nexec /usr/bin/python3 " ORRERY_SOURCE_DIR "/tests/support/fake_kubectl.py \"$@\"\n");
        QVERIFY(QFile::setPermissions(m_bin + QStringLiteral("/kubectl"), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));
    }

    void aStageOnKubernetesRunsAsALocalOneWould()
    {
        // The same pipeline all local, for the dvc.lock a local run writes.
        const QString local = workspace(QStringLiteral("local"));
        Run r = cli(QStringLiteral("local"), {QStringLiteral("run")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QVERIFY(calls(QStringLiteral("local")).isEmpty());

        const QString ws = workspace(QStringLiteral("k8s"));
        writeFile(ws + QStringLiteral("/executors.yaml"), kOnKubernetes);
        r = cli(QStringLiteral("k8s"), {QStringLiteral("run"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        const QJsonObject report = QJsonDocument::fromJson(r.out.toUtf8()).object();
        const QJsonObject prepare = stageOf(report, QStringLiteral("prepare"));
        const QJsonObject train = stageOf(report, QStringLiteral("train"));
        QCOMPARE(prepare[QStringLiteral("executor")].toString(), QStringLiteral("local"));
        QCOMPARE(train[QStringLiteral("state")].toString(), QStringLiteral("ran"));
        QCOMPARE(train[QStringLiteral("executor")].toString(), QStringLiteral("kubernetes"));
        const QString jobName = train[QStringLiteral("job_id")].toString();
        QVERIFY2(jobName.startsWith(QStringLiteral("orrery-train-")), qPrintable(r.out));
        QCOMPARE(train[QStringLiteral("node")].toString(), QStringLiteral("fake-node"));

        // What kubectl was asked, in order.
        const QString manifestFile = ws + QStringLiteral("/.orrery/jobs/") + jobName + QStringLiteral("/job.json");
        const QString scope = QStringLiteral("--context kind-orrery --namespace ml ");
        QCOMPARE(calls(QStringLiteral("k8s")),
                 (QStringList{QStringLiteral("config get-contexts -o name"),   // checked before the pipeline starts
                              QStringLiteral("config get-contexts -o name"),   // and again as the job is submitted
                              scope + QStringLiteral("apply -f ") + manifestFile,
                              scope + QStringLiteral("get job %1 -o json").arg(jobName),
                              scope + QStringLiteral("get pods -l job-name=%1 -o json").arg(jobName),
                              scope + QStringLiteral("logs job/") + jobName}));

        // The outs, made by the manifest's command in the manifest's folder.
        QCOMPARE(readFile(ws + QStringLiteral("/models/model.txt")).trimmed(), QByteArray("17"));
        // The pod's output is in the stage's log, from `kubectl logs`.
        const QString log = QString::fromUtf8(readFile(train[QStringLiteral("log")].toString()));
        QVERIFY2(log.contains(QStringLiteral("trained in %1 as run %2").arg(QDir(ws).canonicalPath(), train[QStringLiteral("run_id")].toString()))
                     || log.contains(QStringLiteral("trained in %1 as run %2").arg(ws, train[QStringLiteral("run_id")].toString())),
                 qPrintable(log));

        // The manifest applied: a valid Job, the workspace mounted where it is here.
        const Run valid = orrery::testing::run(QStringLiteral("/usr/bin/python3"), {QStringLiteral(ORRERY_SOURCE_DIR "/tests/deploy/validate_manifests.py"), manifestFile});
        QVERIFY2(valid.ok(), qPrintable(valid.describe()));
        QCOMPARE(valid.out.trimmed(), QStringLiteral("valid Job %1: kubernetes-models").arg(jobName));
        const QJsonObject manifest = QJsonDocument::fromJson(readFile(manifestFile)).object();
        const QJsonObject pod = manifest[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")].toObject();
        const QJsonObject container = pod[QStringLiteral("containers")][0].toObject();
        QCOMPARE(pod[QStringLiteral("volumes")][0][QStringLiteral("hostPath")][QStringLiteral("path")].toString(), QDir(ws).absolutePath());
        QCOMPARE(container[QStringLiteral("volumeMounts")][0][QStringLiteral("mountPath")].toString(), QDir(ws).absolutePath());
        QCOMPARE(container[QStringLiteral("image")].toString(), QStringLiteral("registry.example/orrery:1"));
        QCOMPARE(container[QStringLiteral("resources")][QStringLiteral("limits")].toObject(),
                 (QJsonObject{{QStringLiteral("cpu"), QStringLiteral("1")}, {QStringLiteral("memory"), QStringLiteral("512Mi")}}));
        QStringList envNames;
        for (const QJsonValue &e : container[QStringLiteral("env")].toArray())
            envNames << e[QStringLiteral("name")].toString();
        QVERIFY2(envNames.contains(QStringLiteral("ORRERY_PARENT_RUN_ID")) && !envNames.contains(QStringLiteral("PATH")), qPrintable(envNames.join(QLatin1Char(' '))));

        // dvc.lock is the one the all-local run wrote.
        QCOMPARE(readFile(ws + QStringLiteral("/dvc.lock")), readFile(local + QStringLiteral("/dvc.lock")));

        // Up to date wherever the stage is placed: nothing is applied again.
        r = cli(QStringLiteral("k8s"), {QStringLiteral("run"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(stageOf(QJsonDocument::fromJson(r.out.toUtf8()).object(), QStringLiteral("train"))[QStringLiteral("state")].toString(), QStringLiteral("skipped"));
        QFile::remove(ws + QStringLiteral("/executors.yaml"));
        r = cli(QStringLiteral("k8s"), {QStringLiteral("run"), QStringLiteral("--json")});
        QVERIFY2(r.ok(), qPrintable(r.describe()));
        QCOMPARE(stageOf(QJsonDocument::fromJson(r.out.toUtf8()).object(), QStringLiteral("train"))[QStringLiteral("state")].toString(), QStringLiteral("skipped"));
        QCOMPARE(calls(QStringLiteral("k8s")).filter(QStringLiteral(" apply ")).size(), 1);
    }

    void aContextThatDoesNotExistStopsTheRunBeforeAnythingRuns()
    {
        const QString ws = workspace(QStringLiteral("no-context"));
        QByteArray placed = kOnKubernetes;
        placed.replace("context: kind-orrery", "context: prod-eu");
        writeFile(ws + QStringLiteral("/executors.yaml"), placed);
        const Run r = cli(QStringLiteral("no-context"), {QStringLiteral("run")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("stage train names Kubernetes context 'prod-eu', which kubectl does not have"))
                     && r.err.contains(QStringLiteral("its contexts: kind-orrery, staging")),
                 qPrintable(r.err));
        QCOMPARE(calls(QStringLiteral("no-context")), QStringList{QStringLiteral("config get-contexts -o name")});
        // Not even the local stage before it ran.
        QVERIFY(!QFile::exists(ws + QStringLiteral("/upper.txt")));
    }

    void aStageWithoutAnImageIsNamedInExecutorsYaml()
    {
        const QString ws = workspace(QStringLiteral("no-image"));
        QByteArray placed = kOnKubernetes;
        placed.replace("    image: registry.example/orrery:1\n", "");
        writeFile(ws + QStringLiteral("/executors.yaml"), placed);
        const Run r = cli(QStringLiteral("no-image"), {QStringLiteral("run")});
        QCOMPARE(r.code, 2);
        QVERIFY2(r.err.contains(QStringLiteral("executors.yaml:3:5: stage 'train' runs on kubernetes but names no image; build one with `orrery-cli export containerfile")),
                 qPrintable(r.err));
        QVERIFY(calls(QStringLiteral("no-image")).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TstCliKubernetes)
#include "tst_cli_kubernetes.moc"
