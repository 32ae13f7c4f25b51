// Links on the canvas keep off the cards: for the demo pipeline fitted at 1280x800 and at a
// narrow width that folds its chain into bands, no link's drawn path touches a card other than its
// two ends (the cards' rectangles shrunk by 3 px), nor runs along one (within 4 px). Before, a link
// from the end of one band to the start of the next swung out past the writer's side and back
// across both bands. Also checked directly on routeEdge: a reader in the next band, a reader
// behind a card in the same row. A screenshot of the folded canvas goes to the test's output
// folder and /tmp/orrery-shots/.
#include "pipeline_editor_fixture.h"

#include "core/pipeline/pipeline_model.h"
#include "ui/pipeline/edge_router.h"
#include "ui/pipeline/pipeline_edge_item.h"

#include <QDir>
#include <QSet>
#include <QStandardPaths>
#include <QTemporaryDir>

using namespace orrery;
using namespace orrery::ui;
using namespace orrery::ui::testing;

namespace {

QRectF cardOf(PipelineEditor &e, pipeline::NodeId id)
{
    StageNodeItem *item = e.scene()->nodeItem(id);
    return item->mapRectToScene(item->cardRect());
}

// "split → train crosses evaluate" for every link that touches a card not its own, drawn `width`
// wide against the cards shrunk by `shrink`.
QStringList crossings(PipelineEditor &e, qreal width, qreal shrink)
{
    QStringList out;
    const pipeline::PipelineModel &m = *e.document()->model();
    for (const pipeline::Edge &edge : m.edges()) {
        PipelineEdgeItem *item = e.scene()->edgeItem(edge.id);
        if (!item)
            return {QStringLiteral("no item for a link")};
        const QPainterPath path = item->mapToScene(item->path());
        for (pipeline::NodeId n : m.nodes()) {
            if (n == edge.from || n == edge.to)
                continue;
            const QRectF card = cardOf(e, n).adjusted(shrink, shrink, -shrink, -shrink);
            if (pathTouches(path, card, width))
                out << QStringLiteral("%1 → %2 (%3) crosses %4").arg(m.stage(edge.from)->name, m.stage(edge.to)->name, edge.path, m.stage(n)->name);
        }
    }
    return out;
}

int bands(PipelineEditor &e)
{
    QSet<int> tops;
    for (pipeline::NodeId n : e.document()->model()->nodes())
        tops.insert(int(std::lround(e.document()->model()->position(n).y() / 100)));
    return int(tops.size());
}

} // namespace

class TstPipelineEdgeRoutes : public QObject {
    Q_OBJECT
    QTemporaryDir m_tmp;
    QString m_template;

    std::unique_ptr<PipelineEditor> open(QSize size)
    {
        static int n = 0;
        const QString root = m_tmp.filePath(QStringLiteral("ws%1").arg(++n));
        QDir().mkpath(root + QStringLiteral("/.orrery"));
        for (const QString &f : {QStringLiteral("dvc.yaml"), QStringLiteral("params.yaml")})
            QFile::copy(QDir(m_template).filePath(f), QDir(root).filePath(f));
        auto e = std::make_unique<PipelineEditor>();
        e->resize(size);
        e->show();
        if (!QTest::qWaitForWindowExposed(e.get()))
            return nullptr;
        e->setWorkspaceRoot(root); // the editor's own layout, fitted (and folded) to the view
        QTest::qWait(50);          // the fit, then the links routed again around the moved cards
        return e;
    }

    void shoot(PipelineEditor &e, const QString &name)
    {
        const QImage shot = e.grab().toImage();
        QVERIFY(shot.save(QDir::current().filePath(name)));
        QDir().mkpath(QStringLiteral("/tmp/orrery-shots"));
        shot.save(QStringLiteral("/tmp/orrery-shots/") + name);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_tmp.isValid());
        demo::DemoOptions o;
        o.rows = 500;
        m_template = m_tmp.filePath(QStringLiteral("demo"));
        auto r = demo::createDemoWorkspace(m_template, o);
        QVERIFY2(r.isOk(), qPrintable(r.status().message()));
    }

    void linksKeepOffTheCards_data()
    {
        QTest::addColumn<QSize>("size");
        QTest::addColumn<bool>("folded");
        QTest::newRow("1280x800") << QSize(1280, 800) << false;
        QTest::newRow("narrow 760x900") << QSize(760, 900) << true;
    }

    void linksKeepOffTheCards()
    {
        QFETCH(QSize, size);
        QFETCH(bool, folded);
        auto e = open(size);
        QVERIFY(e);
        QVERIFY(e->scene()->edgeCount() >= 6);
        if (folded)
            QVERIFY2(bands(*e) >= 2, "the narrow editor folds the chain into bands");
        shoot(*e, QStringLiteral("pipeline-links-%1x%2.png").arg(size.width()).arg(size.height()));
        const QStringList through = crossings(*e, 2, 3);
        QVERIFY2(through.isEmpty(), qPrintable(through.join(QStringLiteral("; "))));
        const QStringList along = crossings(*e, 2 + 2 * 4, 0);
        QVERIFY2(along.isEmpty(), qPrintable(QStringLiteral("too close: ") + along.join(QStringLiteral("; "))));
    }

    void routeEdgeAroundCards()
    {
        // Two bands: the writer ends the first, the reader starts the second.
        const QRectF a(0, 0, 230, 120), b(290, 0, 230, 150), c(580, 0, 230, 100); // band 1
        const QRectF d(0, 210, 230, 120), f(290, 210, 230, 120);                  // band 2
        const QPointF from(c.right(), 49), to(d.left(), 259);
        QPainterPath p = routeEdge(from, to, c, d, {a, b, f});
        QCOMPARE(p.pointAtPercent(0), from);
        QCOMPARE(p.pointAtPercent(1), to);
        for (const QRectF &r : {a, b, f})
            QVERIFY(!pathTouches(p, r.adjusted(-4, -4, 4, 4)));
        // The horizontal run is in the gap between the bands.
        const QRectF box = p.boundingRect();
        QVERIFY(box.top() >= from.y() - 1 && box.bottom() <= to.y() + 1);
        // Same row, a card between writer and reader: over or under it, not through.
        p = routeEdge(QPointF(a.right(), 49), QPointF(c.left(), 49), a, c, {b, d, f});
        QVERIFY(!pathTouches(p, b.adjusted(-4, -4, 4, 4)));
        QVERIFY(!pathTouches(p, d) && !pathTouches(p, f));
        // Nothing in the way: the usual S-curve, port to port.
        p = routeEdge(QPointF(a.right(), 49), QPointF(b.left(), 60), a, b, {c, d, f});
        QCOMPARE(p.elementCount(), 4); // moveTo + one cubic (three points)
    }
};

QTEST_MAIN(TstPipelineEdgeRoutes)
#include "tst_pipeline_edge_routes.moc"
