// executors.yaml: each stage's executor and resources, inherited from `default`, and every mistake
// reported with its place and its fix before anything runs.
#include "core/exec/placement.h"

#include "tests/support/test_support.h"

#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::exec;

class TestPlacement : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void stagesInheritTheDefaultAndOverrideIt()
    {
        auto p = parsePlacements(QByteArrayLiteral("default:\n"
                                                   "  executor: slurm\n"
                                                   "  partition: debug\n"
                                                   "  cpus: 1\n"
                                                   "stages:\n"
                                                   "  train:\n"
                                                   "    cpus: 2\n"
                                                   "    memory: 4G\n"
                                                   "    gpus: 1\n"
                                                   "    time_limit: 30m\n"
                                                   "  report:\n"
                                                   "    executor: local\n"),
                                 QStringLiteral("executors.yaml"));
        QVERIFY2(p, qPrintable(p.status().message()));
        const Placement train = p->forStage(QStringLiteral("train"));
        QCOMPARE(train.executor, QStringLiteral("slurm"));
        QCOMPARE(train.resources.partition, QStringLiteral("debug"));
        QCOMPARE(train.resources.cpus, 2);
        QCOMPARE(train.resources.memoryMb, 4096);
        QCOMPARE(train.resources.gpus, 1);
        QCOMPARE(train.timeLimitMs, 30 * 60 * 1000);
        QCOMPARE(p->forStage(QStringLiteral("report")).executor, QStringLiteral("local"));
        // A stage not named gets the default.
        QCOMPARE(p->forStage(QStringLiteral("load")).executor, QStringLiteral("slurm"));
        QCOMPARE(p->forStage(QStringLiteral("load")).resources.cpus, 1);
        QVERIFY(!p->allLocal());
        QCOMPARE(p->stageLines.value(QStringLiteral("report")), 11);
    }

    void noFileMeansEverythingLocal()
    {
        QTemporaryDir dir;
        auto p = loadPlacements(dir.path());
        QVERIFY2(p, qPrintable(p.status().message()));
        QVERIFY(p->allLocal());
        QVERIFY(p->file.isEmpty());
        QCOMPARE(p->forStage(QStringLiteral("train")).executor, QStringLiteral("local"));
    }

    void memoryIsReadAsPeopleWriteIt()
    {
        QCOMPARE(*parseMemoryMb(QStringLiteral("512M")), 512);
        QCOMPARE(*parseMemoryMb(QStringLiteral("4G")), 4096);
        QCOMPARE(*parseMemoryMb(QStringLiteral("4GB")), 4096);
        QCOMPARE(*parseMemoryMb(QStringLiteral("1.5GiB")), 1536);
        QCOMPARE(*parseMemoryMb(QStringLiteral("2048")), 2048);
        QCOMPARE(*parseMemoryMb(QStringLiteral("1T")), 1024 * 1024);
        QVERIFY(!parseMemoryMb(QStringLiteral("lots")));
        QVERIFY(!parseMemoryMb(QStringLiteral("100K")));
    }

    void everyMistakeIsNamedWithItsPlace()
    {
        auto p = parsePlacements(QByteArrayLiteral("stages:\n"
                                                   "  train:\n"
                                                   "    executor: slrum\n"
                                                   "    cpu: 2\n"
                                                   "  split:\n"
                                                   "    executor: kubernetes\n"
                                                   "    partition: debug\n"
                                                   "    memory: lots\n"
                                                   "    gpus: -1\n"
                                                   "    time_limit: soon\n"),
                                 QStringLiteral("/ws/executors.yaml"));
        QVERIFY(!p);
        const QStringList lines = p.status().message().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 7);
        QVERIFY2(lines[0].startsWith(QStringLiteral("/ws/executors.yaml:3:15: unknown executor 'slrum'")) && lines[0].contains(QStringLiteral("did you mean 'slurm'")), qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(QStringLiteral("/ws/executors.yaml:4:5: unknown key 'cpu'")) && lines[1].contains(QStringLiteral("'cpus'")), qPrintable(lines[1]));
        QVERIFY2(lines[2].startsWith(QStringLiteral("/ws/executors.yaml:6:5: stage 'split' runs on kubernetes but names no image")), qPrintable(lines[2]));
        QVERIFY2(lines[3].startsWith(QStringLiteral("/ws/executors.yaml:7:5: stage 'split' sets partition, which only the slurm executor reads")), qPrintable(lines[3]));
        QVERIFY2(lines[4].startsWith(QStringLiteral("/ws/executors.yaml:8:13:")) && lines[4].contains(QStringLiteral("'lots' is no amount of memory")), qPrintable(lines[4]));
        QVERIFY2(lines[5].startsWith(QStringLiteral("/ws/executors.yaml:9:11:")), qPrintable(lines[5]));
        QVERIFY2(lines[6].startsWith(QStringLiteral("/ws/executors.yaml:10:17:")), qPrintable(lines[6]));
    }

    void kubernetesStagesNameTheirImageVolumeAndContext()
    {
        auto p = parsePlacements(QByteArrayLiteral("default:\n"
                                                   "  executor: kubernetes\n"
                                                   "  image: registry.example/orrery:1\n"
                                                   "  namespace: ml\n"
                                                   "  context: kind-orrery\n"
                                                   "stages:\n"
                                                   "  train:\n"
                                                   "    gpus: 1\n"
                                                   "    volume_claim: ws\n"
                                                   "  report:\n"
                                                   "    executor: local\n"),
                                 QStringLiteral("executors.yaml"));
        QVERIFY2(p, qPrintable(p.status().message()));
        const Placement train = p->forStage(QStringLiteral("train"));
        QCOMPARE(train.executor, QStringLiteral("kubernetes"));
        QCOMPARE(train.resources.image, QStringLiteral("registry.example/orrery:1"));
        QCOMPARE(train.resources.nameSpace, QStringLiteral("ml"));
        QCOMPARE(train.resources.context, QStringLiteral("kind-orrery"));
        QCOMPARE(train.resources.volumeClaim, QStringLiteral("ws"));
        QCOMPARE(train.resources.gpus, 1);
        // Not named under stages: the default's, with no claim (a hostPath of the workspace).
        QCOMPARE(p->forStage(QStringLiteral("load")).resources.volumeClaim, QString());
        QCOMPARE(p->forStage(QStringLiteral("load")).resources.context, QStringLiteral("kind-orrery"));
        QCOMPARE(p->forStage(QStringLiteral("report")).executor, QStringLiteral("local"));
        QCOMPARE(describePlacement(train), QStringLiteral("kubernetes ml · 1 GPU"));
    }

    void aKubernetesStageWithoutAnImageOrWithItsKeysElsewhereIsNamed()
    {
        auto p = parsePlacements(QByteArrayLiteral("stages:\n"
                                                   "  train:\n"
                                                   "    executor: kubernetes\n"
                                                   "    cpus: 2\n"
                                                   "  split:\n"
                                                   "    executor: slurm\n"
                                                   "    volume_claim: ws\n"
                                                   "    context: prod\n"),
                                 QStringLiteral("/ws/executors.yaml"));
        QVERIFY(!p);
        const QStringList lines = p.status().message().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 3);
        QCOMPARE(lines[0], QStringLiteral("/ws/executors.yaml:3:5: stage 'train' runs on kubernetes but names no image; build one with "
                                          "`orrery-cli export containerfile ENDPOINT --out DIR` (Orrery on debian:12) and name it here with image:"));
        QVERIFY2(lines[1].startsWith(QStringLiteral("/ws/executors.yaml:7:5: stage 'split' sets volume_claim, which only the kubernetes executor reads (this one runs on slurm)")),
                 qPrintable(lines[1]));
        QVERIFY2(lines[2].startsWith(QStringLiteral("/ws/executors.yaml:8:5: stage 'split' sets context, which only the kubernetes executor reads")), qPrintable(lines[2]));
    }

    void aSyntaxErrorHasItsPlace()
    {
        auto p = parsePlacements(QByteArrayLiteral("stages:\n  train: [\n"), QStringLiteral("executors.yaml"));
        QVERIFY(!p);
        QVERIFY2(p.status().message().startsWith(QStringLiteral("executors.yaml:")) && p.status().message().contains(QStringLiteral("YAML syntax")), qPrintable(p.status().message()));
    }

    // A data-parallel training stage on Slurm: nodes × tasks per node ranks; Slurm-only keys.
    void slurmTasksAreReadAndOnlyForSlurm()
    {
        auto p = parsePlacements(QByteArrayLiteral("stages:\n"
                                                   "  train:\n"
                                                   "    executor: slurm\n"
                                                   "    nodes: 2\n"
                                                   "    tasks_per_node: 3\n"
                                                   "    cpus: 1\n"),
                                 QStringLiteral("executors.yaml"));
        QVERIFY2(p, qPrintable(p.status().message()));
        const Resources r = p->forStage(QStringLiteral("train")).resources;
        QCOMPARE(r.nodes, 2);
        QCOMPARE(r.tasksPerNode, 3);
        QCOMPARE(r.tasks(), 6);
        QCOMPARE(describePlacement(p->forStage(QStringLiteral("train"))), QStringLiteral("slurm · 2 × 3 tasks · 1 CPU"));
        QCOMPARE(Resources().tasks(), 1);

        auto bad = parsePlacements(QByteArrayLiteral("stages:\n"
                                                     "  train:\n"
                                                     "    nodes: 2\n"
                                                     "  fit:\n"
                                                     "    executor: slurm\n"
                                                     "    tasks_per_node: 0\n"),
                                   QStringLiteral("/ws/executors.yaml"));
        QVERIFY(!bad);
        const QStringList lines = bad.status().message().split(QLatin1Char('\n'));
        QCOMPARE(lines.size(), 2);
        QVERIFY2(lines[0].startsWith(QStringLiteral("/ws/executors.yaml:3:5: stage 'train' sets nodes, which only the slurm executor reads")), qPrintable(lines[0]));
        QVERIFY2(lines[1].startsWith(QStringLiteral("/ws/executors.yaml:6:21:")), qPrintable(lines[1]));
    }
};

QTEST_GUILESS_MAIN(TestPlacement)
#include "tst_placement.moc"
