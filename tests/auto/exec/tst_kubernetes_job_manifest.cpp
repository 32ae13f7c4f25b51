// core/exec's Kubernetes Job manifests, offline (there is no cluster here): several generated Jobs
// — with and without resources and a GPU, a PersistentVolumeClaim or a hostPath, a deadline —
// validated as batch/v1 Job objects by the npm package kubernetes-models (through
// tests/deploy/validate_manifests.py, which also checks the Job's name as a DNS-1123 label), and
// their fields checked exactly: what `kubectl apply` is given is what the issue asks for.
#include "core/exec/kubernetes_job_manifest.h"

#include "tests/support/test_support.h"

#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::exec;

namespace {

const QString kPython = QStringLiteral("/usr/bin/python3");

QString validator()
{
    return QStringLiteral(ORRERY_SOURCE_DIR "/tests/deploy/validate_manifests.py");
}

// A submitter's environment and a job's over it, as the pipeline makes one (PATH prefixed, a
// parent run added).
QProcessEnvironment submitter()
{
    QProcessEnvironment e;
    e.insert(QStringLiteral("PATH"), QStringLiteral("/usr/local/bin:/usr/bin:/bin"));
    e.insert(QStringLiteral("HOME"), QStringLiteral("/home/ada"));
    e.insert(QStringLiteral("HOSTNAME"), QStringLiteral("workstation"));
    e.insert(QStringLiteral("LANG"), QStringLiteral("C.UTF-8"));
    e.insert(QStringLiteral("EDITOR"), QStringLiteral("vi"));
    e.insert(QStringLiteral("ORRERY_CLOCK_SCALE"), QStringLiteral("60"));
    return e;
}

JobSpec trainJob()
{
    JobSpec j;
    j.name = QStringLiteral("stage train");
    j.commandLine = QStringLiteral("python3 train.py --epochs 3 && echo 'done'");
    j.workDir = QStringLiteral("/home/ada/fraud/src");
    j.logPath = QStringLiteral("/home/ada/fraud/.orrery/tmp/train.log");
    j.env = submitter();
    j.env.insert(QStringLiteral("PATH"), QStringLiteral("/opt/orrery/bin:/usr/local/bin:/usr/bin:/bin"));
    j.env.insert(QStringLiteral("ORRERY_PARENT_RUN_ID"), QStringLiteral("run-17"));
    j.env.insert(QStringLiteral("EDITOR"), QStringLiteral("emacs"));
    j.resources.image = QStringLiteral("registry.example/orrery-fraud:v3");
    return j;
}

KubernetesJobSettings settings(const QString &name)
{
    KubernetesJobSettings s;
    s.name = name;
    s.workspaceRoot = QStringLiteral("/home/ada/fraud");
    s.runAsUser = 1000;
    s.runAsGroup = 1000;
    return s;
}

} // namespace

class TestKubernetesJobManifest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;

    // The validator's lines for these objects, each written to a file of its own as the executor
    // writes job.json; "FAILED …" when it did not pass.
    QStringList validate(const QVector<QJsonObject> &objects)
    {
        static int n = 0;
        QStringList files;
        for (const QJsonObject &o : objects)
            files << testing::writeFile(m_dir.filePath(QStringLiteral("job%1.json").arg(++n)), QJsonDocument(o).toJson());
        const auto r = testing::run(kPython, QStringList{validator()} + files);
        if (!r.ok())
            return {QStringLiteral("FAILED ") + r.describe()};
        return r.out.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(QFile::exists(QStringLiteral(ORRERY_SOURCE_DIR "/tests/deploy/node_modules/kubernetes-models/package.json")),
                 "the npm validators are missing: run packaging/setup.sh --test");
        QVERIFY2(QFile::exists(kPython), "no /usr/bin/python3: run packaging/setup.sh --test");
    }

    void generatedJobsAreValidBatchV1Jobs()
    {
        // CPU and memory on a hostPath, no deadline.
        JobSpec cpu = trainJob();
        cpu.resources.cpus = 2;
        cpu.resources.memoryMb = 4096;
        // A GPU, a claim, a namespace and a deadline.
        JobSpec gpu = trainJob();
        gpu.resources.gpus = 1;
        gpu.resources.cpus = 8;
        gpu.resources.memoryMb = 1536;
        gpu.resources.volumeClaim = QStringLiteral("fraud-workspace");
        gpu.resources.nameSpace = QStringLiteral("ml");
        gpu.timeoutMs = 30 * 60 * 1000;
        // Nothing asked: no resources block, the image's user, the job's folder as the volume.
        JobSpec bare = trainJob();
        bare.name = QStringLiteral("trial 12");
        bare.timeoutMs = 1500;
        KubernetesJobSettings unowned = settings(kubernetesJobName(bare.name));
        unowned.workspaceRoot.clear();
        unowned.runAsUser = -1;
        unowned.runAsGroup = -1;
        const QVector<QJsonObject> jobs = {
            kubernetesJobManifest(cpu, settings(kubernetesJobName(cpu.name)), submitter()),
            kubernetesJobManifest(gpu, settings(kubernetesJobName(gpu.name)), submitter()),
            kubernetesJobManifest(bare, unowned, submitter()),
        };
        const QStringList lines = validate(jobs);
        QCOMPARE(lines.size(), 3);
        for (int i = 0; i < 3; ++i)
            QCOMPARE(lines[i], QStringLiteral("valid Job %1: kubernetes-models").arg(jobs[i][QStringLiteral("metadata")][QStringLiteral("name")].toString()));

        const QJsonObject bareSpec = jobs[2][QStringLiteral("spec")].toObject();
        QCOMPARE(bareSpec[QStringLiteral("activeDeadlineSeconds")].toInt(), 2); // 1.5 s, rounded up
        const QJsonObject bareContainer = bareSpec[QStringLiteral("template")][QStringLiteral("spec")][QStringLiteral("containers")][0].toObject();
        QVERIFY(!bareContainer.contains(QStringLiteral("resources")));
        QCOMPARE(bareContainer[QStringLiteral("volumeMounts")][0][QStringLiteral("mountPath")].toString(), bare.workDir);
        QVERIFY(!bareSpec[QStringLiteral("template")][QStringLiteral("spec")].toObject().contains(QStringLiteral("securityContext")));
        QCOMPARE(jobs[2][QStringLiteral("metadata")][QStringLiteral("labels")][QStringLiteral("orrery.io/job-name")].toString(), QStringLiteral("trial-12"));
        QCOMPARE(jobs[0][QStringLiteral("metadata")][QStringLiteral("namespace")].toString(), QStringLiteral("default"));
        QVERIFY(!jobs[0][QStringLiteral("spec")].toObject().contains(QStringLiteral("activeDeadlineSeconds")));
    }

    void theValidatorRejectsABrokenJob()
    {
        // The validation above means something only if a wrong Job fails it.
        QJsonObject job = kubernetesJobManifest(trainJob(), settings(QStringLiteral("orrery-train-abc")), submitter());
        QJsonObject spec = job[QStringLiteral("spec")].toObject();
        spec.insert(QStringLiteral("backoffLimit"), QStringLiteral("none"));
        job.insert(QStringLiteral("spec"), spec);
        const QStringList bad = validate({job});
        QCOMPARE(bad.size(), 1);
        QVERIFY2(bad[0].startsWith(QStringLiteral("FAILED")) && bad[0].contains(QStringLiteral("spec/backoffLimit must be integer")), qPrintable(bad[0]));
        QJsonObject badName = kubernetesJobManifest(trainJob(), settings(QStringLiteral("Orrery_Train")), submitter());
        const QStringList named = validate({badName});
        QVERIFY2(named[0].contains(QStringLiteral("name 'Orrery_Train' is no DNS-1123 label")), qPrintable(named.join(QLatin1Char('\n'))));
    }

    void aJobWithAGpuAClaimAndADeadlineIsExactlyThis()
    {
        JobSpec j = trainJob();
        j.resources.cpus = 8;
        j.resources.memoryMb = 1536;
        j.resources.gpus = 1;
        j.resources.volumeClaim = QStringLiteral("fraud-workspace");
        j.resources.nameSpace = QStringLiteral("ml");
        j.timeoutMs = 30 * 60 * 1000;
        const QJsonObject got = kubernetesJobManifest(j, settings(QStringLiteral("orrery-train-lx4k2f9q1z")), submitter());
        const QByteArray expected = R"({
          "apiVersion": "batch/v1",
          "kind": "Job",
          "metadata": {
            "name": "orrery-train-lx4k2f9q1z",
            "namespace": "ml",
            "labels": {"app.kubernetes.io/managed-by": "orrery", "orrery.io/job-name": "stage-train"}
          },
          "spec": {
            "backoffLimit": 0,
            "activeDeadlineSeconds": 1800,
            "ttlSecondsAfterFinished": 3600,
            "template": {
              "metadata": {"labels": {"app.kubernetes.io/managed-by": "orrery", "orrery.io/job-name": "stage-train"}},
              "spec": {
                "restartPolicy": "Never",
                "securityContext": {"runAsUser": 1000, "runAsGroup": 1000},
                "containers": [{
                  "name": "job",
                  "image": "registry.example/orrery-fraud:v3",
                  "command": ["/bin/sh", "-c", "python3 train.py --epochs 3 && echo 'done'"],
                  "workingDir": "/home/ada/fraud/src",
                  "env": [
                    {"name": "EDITOR", "value": "emacs"},
                    {"name": "ORRERY_CLOCK_SCALE", "value": "60"},
                    {"name": "ORRERY_PARENT_RUN_ID", "value": "run-17"}
                  ],
                  "resources": {
                    "requests": {"cpu": "8", "memory": "1536Mi", "nvidia.com/gpu": "1"},
                    "limits": {"cpu": "8", "memory": "1536Mi", "nvidia.com/gpu": "1"}
                  },
                  "volumeMounts": [{"name": "workspace", "mountPath": "/home/ada/fraud"}]
                }],
                "volumes": [{"name": "workspace", "persistentVolumeClaim": {"claimName": "fraud-workspace"}}]
              }
            }
          }
        })";
        QJsonParseError error;
        const QJsonObject want = QJsonDocument::fromJson(expected, &error).object();
        QVERIFY2(error.error == QJsonParseError::NoError, qPrintable(error.errorString()));
        QVERIFY2(got == want, QJsonDocument(got).toJson().constData());
    }

    void withoutAClaimTheWorkspaceIsAHostPathAtItsOwnPath()
    {
        JobSpec j = trainJob();
        const QJsonObject got = kubernetesJobManifest(j, settings(QStringLiteral("orrery-train-1")), submitter());
        const QJsonObject pod = got[QStringLiteral("spec")][QStringLiteral("template")][QStringLiteral("spec")].toObject();
        QCOMPARE(pod[QStringLiteral("volumes")].toArray(),
                 (QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("workspace")},
                                         {QStringLiteral("hostPath"), QJsonObject{{QStringLiteral("path"), QStringLiteral("/home/ada/fraud")},
                                                                                  {QStringLiteral("type"), QStringLiteral("Directory")}}}}}));
        QCOMPARE(pod[QStringLiteral("containers")][0][QStringLiteral("volumeMounts")].toArray(),
                 (QJsonArray{QJsonObject{{QStringLiteral("name"), QStringLiteral("workspace")}, {QStringLiteral("mountPath"), QStringLiteral("/home/ada/fraud")}}}));
    }

    void theEnvironmentCarriesWhatTheJobAddsAndOrrerysNeverThisMachinesPath()
    {
        QProcessEnvironment job = submitter();
        job.insert(QStringLiteral("PATH"), QStringLiteral("/build/bin:/usr/bin")); // changed, still not copied
        job.insert(QStringLiteral("HOME"), QStringLiteral("/root"));               // changed, still not copied
        job.insert(QStringLiteral("ORRERY_REPORT_DIR"), QStringLiteral("/ws/.orrery/jobs/t1"));
        job.insert(QStringLiteral("ANSWER"), QStringLiteral("42"));
        const QJsonArray env = kubernetesJobEnv(job, submitter());
        QStringList got;
        for (const QJsonValue &v : env)
            got << v[QStringLiteral("name")].toString() + QLatin1Char('=') + v[QStringLiteral("value")].toString();
        // LANG and EDITOR are the submitter's own: left to the image. ORRERY_* always go.
        QCOMPARE(got, (QStringList{QStringLiteral("ANSWER=42"), QStringLiteral("ORRERY_CLOCK_SCALE=60"), QStringLiteral("ORRERY_REPORT_DIR=/ws/.orrery/jobs/t1")}));
    }

    void namesAreDns1123LabelsUniqueAndSayWhatRuns()
    {
        static const QRegularExpression label(QStringLiteral("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
        QSet<QString> seen;
        for (int i = 0; i < 500; ++i) {
            const QString name = kubernetesJobName(QStringLiteral("stage train"));
            QVERIFY2(name.startsWith(QStringLiteral("orrery-train-")), qPrintable(name));
            QVERIFY2(label.match(name).hasMatch() && name.size() <= 63, qPrintable(name));
            seen.insert(name);
        }
        QCOMPARE(seen.size(), 500);
        const QString longName = kubernetesJobName(QStringLiteral("stage ") + QString(200, QLatin1Char('X')) + QStringLiteral("_Ünïcode stage"));
        QVERIFY2(label.match(longName).hasMatch() && longName.size() <= 63, qPrintable(longName));
        QVERIFY2(longName.startsWith(QStringLiteral("orrery-xxxx")), qPrintable(longName));
        const QString symbols = kubernetesJobName(QStringLiteral("!!! ---"));
        QVERIFY2(symbols.startsWith(QStringLiteral("orrery-job-")) && label.match(symbols).hasMatch(), qPrintable(symbols));
        const QString trial = kubernetesJobName(QStringLiteral("Trial 12 (lr=0.1)"));
        QVERIFY2(trial.startsWith(QStringLiteral("orrery-trial-12-lr-0-1-")), qPrintable(trial));
    }
};

QTEST_GUILESS_MAIN(TestKubernetesJobManifest)
#include "tst_kubernetes_job_manifest.moc"
