// Three-way merge of dvc.yaml (per stage) and params.yaml (per param).
#include "core/pipeline/pipeline_file.h"
#include "core/pipeline/pipeline_merge.h"

#include <QtTest>

using namespace orrery;
using namespace orrery::pipeline;

namespace {
std::optional<ParamValue> doc(const char *yaml)
{
    auto d = parseYamlDocument(yaml, QStringLiteral("t.yaml"));
    return d.isOk() ? std::optional<ParamValue>(*d) : std::nullopt;
}
} // namespace

class TstPipelineMerge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void paramsCombinePerKey()
    {
        auto base = doc("train:\n  lr: 0.1\n  epochs: 10\nsplit:\n  seed: 1\n");
        auto ours = doc("train:\n  lr: 0.05\n  epochs: 10\nsplit:\n  seed: 1\n");
        auto theirs = doc("train:\n  lr: 0.1\n  epochs: 20\nsplit:\n  seed: 1\n  fraction: 0.3\n");
        const DocumentMerge m = mergeDocuments(MergeKind::Params, base, ours, theirs);
        QVERIFY(m.conflicts.isEmpty());
        QCOMPARE(m.merged->find(QStringLiteral("train.lr"))->toDouble(), 0.05);
        QCOMPARE(m.merged->find(QStringLiteral("train.epochs"))->toInt(), 20);
        QCOMPARE(m.merged->find(QStringLiteral("split.fraction"))->toDouble(), 0.3);
        QVERIFY(m.fromTheirs.contains(QStringLiteral("train.epochs")));
    }

    void conflictsListBothValuesAndResolve()
    {
        auto base = doc("train:\n  lr: 0.1\n");
        auto ours = doc("train:\n  lr: 0.05\n");
        auto theirs = doc("train:\n  lr: 0.2\n");
        DocumentMerge m = mergeDocuments(MergeKind::Params, base, ours, theirs);
        QCOMPARE(m.conflicts.size(), 1);
        QCOMPARE(m.conflicts[0].key, QStringLiteral("train.lr"));
        QCOMPARE(describeValue(m.conflicts[0].ours), QStringLiteral("0.05"));
        QCOMPARE(describeValue(m.conflicts[0].theirs), QStringLiteral("0.2"));
        m = mergeDocuments(MergeKind::Params, base, ours, theirs, {{QStringLiteral("train.lr"), Side::Theirs}});
        QVERIFY(m.conflicts.isEmpty());
        QCOMPARE(m.merged->find(QStringLiteral("train.lr"))->toDouble(), 0.2);
        m = mergeDocuments(MergeKind::Params, base, ours, theirs, {}, Side::Ours);
        QCOMPARE(m.merged->find(QStringLiteral("train.lr"))->toDouble(), 0.05);
    }

    void pipelineMergesPerStage()
    {
        auto base = doc("stages:\n  a:\n    cmd: x\n  b:\n    cmd: y\n");
        auto ours = doc("stages:\n  a:\n    cmd: x2\n  b:\n    cmd: y\n");
        auto theirs = doc("stages:\n  a:\n    cmd: x\n  b:\n    cmd: y\n    deps: [f]\n  c:\n    cmd: z\n");
        DocumentMerge m = mergeDocuments(MergeKind::Pipeline, base, ours, theirs);
        QVERIFY(m.conflicts.isEmpty());
        QCOMPARE(m.merged->find(QStringLiteral("stages.a.cmd"))->toStringValue(), QStringLiteral("x2"));
        QVERIFY(m.merged->find(QStringLiteral("stages.b.deps")));
        QVERIFY(m.merged->find(QStringLiteral("stages.c")));
        // Both edit stage a (different keys): one stage is one unit, so a conflict.
        auto theirs2 = doc("stages:\n  a:\n    cmd: x\n    deps: [g]\n  b:\n    cmd: y\n");
        m = mergeDocuments(MergeKind::Pipeline, base, ours, theirs2);
        QCOMPARE(m.conflicts.size(), 1);
        QCOMPARE(m.conflicts[0].key, QStringLiteral("stages.a"));
        // A stage deleted on one side and untouched on the other goes.
        auto deleted = doc("stages:\n  a:\n    cmd: x\n");
        m = mergeDocuments(MergeKind::Pipeline, base, base, deleted);
        QVERIFY(!m.merged->find(QStringLiteral("stages.b")));
    }
};

QTEST_GUILESS_MAIN(TstPipelineMerge)
#include "tst_pipeline_merge.moc"
