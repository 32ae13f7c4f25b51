// The id-based graph model: edges from files, signals, and mutators that validate first and
// change nothing on failure (cycle, duplicate out, duplicate name, not found).
#include "core/pipeline/layout.h"
#include "core/pipeline/pipeline_graph.h"
#include "core/pipeline/pipeline_model.h"

#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace orrery;
using namespace orrery::pipeline;

namespace {
Stage stage(const QString &name, const QStringList &deps, const QStringList &outs)
{
    Stage s;
    s.name = name;
    s.cmd = {QStringLiteral("run ") + name};
    s.deps = deps;
    for (const auto &o : outs)
        s.outs.append({o});
    return s;
}
} // namespace

class TstPipelineModel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void edgesFollowFilesWithSignals()
    {
        PipelineModel m;
        QSignalSpy nodes(&m, &PipelineModel::nodeAdded);
        QSignalSpy edges(&m, &PipelineModel::edgeAdded);
        QSignalSpy removed(&m, &PipelineModel::edgeRemoved);
        auto a = m.addStage(stage(QStringLiteral("a"), {QStringLiteral("raw.csv")}, {QStringLiteral("clean.csv")}));
        auto b = m.addStage(stage(QStringLiteral("b"), {QStringLiteral("clean.csv")}, {QStringLiteral("model")}));
        auto c = m.addStage(stage(QStringLiteral("c"), {QStringLiteral("model/weights.bin")}, {QStringLiteral("report.json")}));
        QVERIFY(a && b && c);
        QCOMPARE(nodes.count(), 3);
        QCOMPARE(edges.count(), 2); // a->b (clean.csv), b->c (a file inside the folder b writes)
        QCOMPARE(m.edges().size(), 2);
        QCOMPARE(m.edges()[1].from, *b);
        QCOMPARE(m.edges()[1].to, *c);
        QCOMPARE(m.edges()[1].path, QStringLiteral("model/weights.bin"));
        QVERIFY(m.removeStage(*b).isOk());
        QCOMPARE(removed.count(), 2);
        QVERIFY(m.edges().isEmpty());
    }

    void cycleIsRefusedAndNamed()
    {
        PipelineModel m;
        auto a = m.addStage(stage(QStringLiteral("a"), {QStringLiteral("c.out")}, {QStringLiteral("a.out")}));
        auto b = m.addStage(stage(QStringLiteral("b"), {QStringLiteral("a.out")}, {QStringLiteral("b.out")}));
        QVERIFY(a && b);
        QSignalSpy any(&m, &PipelineModel::nodeAdded);
        auto c = m.addStage(stage(QStringLiteral("c"), {QStringLiteral("b.out")}, {QStringLiteral("c.out")}));
        QVERIFY(!c.isOk());
        QCOMPARE(c.status().code(), ErrorCode::FailedPrecondition);
        QVERIFY2(c.status().message().contains(QStringLiteral("cycle: a -> b -> c -> a")), qPrintable(c.status().message()));
        QVERIFY2(c.status().message().contains(QStringLiteral("'c' writes c.out, which 'a' reads")), qPrintable(c.status().message()));
        QCOMPARE(any.count(), 0);
        QCOMPARE(m.nodes().size(), 2); // nothing changed
        // An update that would close a loop is refused the same way.
        Stage b2 = *m.stage(*b);
        b2.outs = {{QStringLiteral("c.out")}};
        QCOMPARE(m.updateStage(*b, b2).code(), ErrorCode::FailedPrecondition);
        QCOMPARE(m.stage(*b)->outs[0].path, QStringLiteral("b.out"));
        Stage self = stage(QStringLiteral("s"), {QStringLiteral("s.out")}, {QStringLiteral("s.out")});
        auto selfLoop = m.addStage(self);
        QVERIFY(!selfLoop.isOk());
        QVERIFY2(selfLoop.status().message().contains(QStringLiteral("s -> s")), qPrintable(selfLoop.status().message()));
    }

    void duplicatesAndMissingAreTyped()
    {
        PipelineModel m;
        QVERIFY(m.addStage(stage(QStringLiteral("a"), {}, {QStringLiteral("data/out.csv")})).isOk());
        auto twoWriters = m.addStage(stage(QStringLiteral("b"), {}, {QStringLiteral("data/out.csv")}));
        QCOMPARE(twoWriters.status().code(), ErrorCode::AlreadyExists);
        QVERIFY2(twoWriters.status().message().contains(QStringLiteral("two stages write 'data/out.csv': 'a' and 'b'")), qPrintable(twoWriters.status().message()));
        auto nested = m.addStage(stage(QStringLiteral("c"), {}, {QStringLiteral("data")}));
        QCOMPARE(nested.status().code(), ErrorCode::AlreadyExists);
        auto sameName = m.addStage(stage(QStringLiteral("a"), {}, {QStringLiteral("x")}));
        QCOMPARE(sameName.status().code(), ErrorCode::AlreadyExists);
        QCOMPARE(m.removeStage(999).code(), ErrorCode::NotFound);
        QCOMPARE(m.setPosition(999, {}).code(), ErrorCode::NotFound);
        Stage empty;
        empty.name = QStringLiteral("e");
        QCOMPARE(m.addStage(empty).status().code(), ErrorCode::InvalidArgument);
        QCOMPARE(m.nodes().size(), 1);
    }

    void layoutRoundTrip()
    {
        QTemporaryDir dir;
        PipelineModel m;
        QVERIFY(m.reset({stage(QStringLiteral("a"), {}, {QStringLiteral("a.out")}), stage(QStringLiteral("b"), {QStringLiteral("a.out")}, {})}).isOk());
        Layout::autoLayout(m, {});
        QCOMPARE(m.position(m.nodeByName(QStringLiteral("b"))).x(), 220.0);
        QSignalSpy moved(&m, &PipelineModel::nodeMoved);
        QVERIFY(m.setPosition(m.nodeByName(QStringLiteral("a")), QPointF(5, 7)).isOk());
        QCOMPARE(moved.count(), 1);
        QVERIFY(Layout::fromModel(m).save(dir.path()).isOk());
        QVERIFY(QFile::exists(dir.filePath(QStringLiteral(".orrery/layout.json"))));
        PipelineModel other;
        QVERIFY(other.reset(m.stages()).isOk());
        auto l = Layout::load(dir.path());
        QVERIFY(l.isOk());
        l->applyTo(other);
        QCOMPARE(other.position(other.nodeByName(QStringLiteral("a"))), QPointF(5, 7));
    }

    void graphOrderAndUpstream()
    {
        auto g = PipelineGraph::build({stage(QStringLiteral("c"), {QStringLiteral("b.out")}, {}), stage(QStringLiteral("a"), {}, {QStringLiteral("a.out")}),
                                       stage(QStringLiteral("b"), {QStringLiteral("a.out")}, {QStringLiteral("b.out")}), stage(QStringLiteral("x"), {}, {})});
        QVERIFY(g.isOk());
        QStringList order;
        for (int i : g->order())
            order << g->stages()[i].name;
        QCOMPARE(order, (QStringList{QStringLiteral("a"), QStringLiteral("b"), QStringLiteral("c"), QStringLiteral("x")}));
        auto up = g->withUpstream({QStringLiteral("b")});
        QVERIFY(up.isOk());
        QCOMPARE(up->size(), 2);
        QCOMPARE(g->withUpstream({QStringLiteral("nope")}).status().code(), ErrorCode::NotFound);
    }
};

QTEST_GUILESS_MAIN(TstPipelineModel)
#include "tst_pipeline_model.moc"
