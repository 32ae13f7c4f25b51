// bench editor: the pipeline editor at scale, under the offscreen platform.
//   bench_editor WORKDIR [STAGES]
// 1. A pipeline of STAGES (500) stages in 25 layers, each reading two outputs of the layer
//    before (dvc.yaml with no layout.json): open — from setWorkspaceRoot (dvc.yaml parsed, model
//    built, layered layout, scene items) to the canvas's first frame painted, fitted to view.
// 2. Frame time while panning (40 steps of 25 px) and zooming (40 wheel steps in and out), at
//    1:1 and fitted to the whole pipeline: each step is the view's change plus a synchronous
//    repaint of the viewport. Median and worst frame.
// Prints `bench NAME VALUE UNIT` lines.
#include "ui/pipeline/pipeline_document.h"
#include "ui/pipeline/pipeline_editor.h"
#include "ui/pipeline/pipeline_scene.h"
#include "ui/pipeline/pipeline_view.h"

#include <QApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QScrollBar>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <vector>

using namespace orrery;

namespace {

void writePipeline(const QString &root, int stages)
{
    QDir().mkpath(root + QStringLiteral("/.orrery"));
    const int layers = 25;
    const int perLayer = (stages + layers - 1) / layers;
    QString y = QStringLiteral("stages:\n");
    for (int i = 0; i < stages; ++i) {
        const int layer = i / perLayer, row = i % perLayer;
        y += QStringLiteral("  s%1:\n    cmd: python step.py --in a --out work/s%1.csv\n").arg(i);
        if (layer > 0) {
            y += QStringLiteral("    deps:\n");
            const int prev = (layer - 1) * perLayer;
            y += QStringLiteral("    - work/s%1.csv\n").arg(prev + row);
            y += QStringLiteral("    - work/s%1.csv\n").arg(prev + (row + 1) % perLayer);
        }
        y += QStringLiteral("    outs:\n    - work/s%1.csv\n").arg(i);
    }
    QFile f(root + QStringLiteral("/dvc.yaml"));
    f.open(QIODevice::WriteOnly);
    f.write(y.toUtf8());
}

struct Frames {
    double median = 0, worst = 0;
};

Frames frames(const std::function<void(int)> &step, QWidget *viewport, int n)
{
    std::vector<double> ms;
    for (int i = 0; i < n; ++i) {
        QElapsedTimer t;
        t.start();
        step(i);
        viewport->repaint();
        ms.push_back(t.nsecsElapsed() / 1e6);
    }
    std::sort(ms.begin(), ms.end());
    return {ms[ms.size() / 2], ms.back()};
}

void print(const char *name, double value, const char *unit)
{
    std::printf("bench %s %.2f %s\n", name, value, unit);
    std::fflush(stdout);
}

} // namespace

int main(int argc, char **argv)
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    const QString work = argc > 1 ? QString::fromLocal8Bit(argv[1]) : QDir::temp().filePath(QStringLiteral("orrery-bench-editor"));
    const int stages = argc > 2 ? QString::fromLocal8Bit(argv[2]).toInt() : 500;
    const QString root = QDir(work).filePath(QStringLiteral("pipeline"));
    QDir(root).removeRecursively();
    writePipeline(root, stages);

    {
        // The document alone: dvc.yaml parsed, the model built and laid out, no scene.
        ui::PipelineDocument doc;
        QElapsedTimer d;
        d.start();
        if (!doc.load(root).isOk())
            return 1;
        print(qPrintable(QStringLiteral("editor_document_load_%1_stages").arg(stages)), d.nsecsElapsed() / 1e6, "ms");
    }
    ui::PipelineEditor editor;
    editor.resize(1600, 1000);
    editor.show();
    QApplication::processEvents();

    QElapsedTimer t;
    t.start();
    editor.setWorkspaceRoot(root);
    editor.view()->viewport()->repaint();
    const double openMs = t.nsecsElapsed() / 1e6;
    if (editor.scene()->nodeCount() != stages) {
        std::fprintf(stderr, "bench_editor: %d stages on the canvas, expected %d: %s\n", editor.scene()->nodeCount(), stages,
                     qPrintable(editor.message()));
        return 1;
    }
    print(qPrintable(QStringLiteral("editor_open_%1_stages").arg(stages)), openMs, "ms");
    std::printf("bench editor_open_edges %d count\n", editor.scene()->edgeCount());

    ui::PipelineView *view = editor.view();
    QWidget *vp = view->viewport();
    auto pan = [&](int i) {
        QScrollBar *h = view->horizontalScrollBar();
        h->setValue(h->value() + (i < 20 ? 25 : -25));
        view->verticalScrollBar()->setValue(view->verticalScrollBar()->value() + (i % 2 ? 5 : -5));
    };
    auto zoom = [&](int i) { view->zoomBy(i < 20 ? 1.1 : 1 / 1.1, vp->rect().center()); };

    // Fitted: all 500 cards on screen (cards drawn without port labels when this far out).
    view->fitAll();
    vp->repaint();
    Frames f = frames(pan, vp, 40);
    print("editor_pan_frame_fit_median", f.median, "ms");
    print("editor_pan_frame_fit_worst", f.worst, "ms");
    f = frames(zoom, vp, 40);
    print("editor_zoom_frame_fit_median", f.median, "ms");
    print("editor_zoom_frame_fit_worst", f.worst, "ms");
    // 1:1 in the middle of the pipeline: full detail.
    view->setTransform(QTransform());
    view->centerOn(editor.scene()->itemsBoundingRect().center());
    vp->repaint();
    f = frames(pan, vp, 40);
    print("editor_pan_frame_1to1_median", f.median, "ms");
    print("editor_pan_frame_1to1_worst", f.worst, "ms");
    f = frames(zoom, vp, 40);
    print("editor_zoom_frame_1to1_median", f.median, "ms");
    print("editor_zoom_frame_1to1_worst", f.worst, "ms");
    QDir(root).removeRecursively();
    return 0;
}
