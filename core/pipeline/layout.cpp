#include "core/pipeline/layout.h"

#include "core/common/atomic_file.h"
#include "core/pipeline/pipeline_model.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>

namespace orrery::pipeline {

QString Layout::pathFor(const QString &root)
{
    return root + QStringLiteral("/.orrery/layout.json");
}

Result<Layout> Layout::load(const QString &root)
{
    Layout l;
    QFile f(pathFor(root));
    if (!f.exists())
        return l;
    if (!f.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(f.fileName(), f.errorString()));
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(f.readAll(), &err);
    if (!doc.isObject())
        return corrupt(QStringLiteral(".orrery/layout.json: %1 at offset %2 (delete the file to lay the pipeline out afresh)").arg(err.errorString()).arg(err.offset));
    const QJsonObject nodes = doc.object().value(QStringLiteral("nodes")).toObject();
    for (auto it = nodes.begin(); it != nodes.end(); ++it) {
        const QJsonObject p = it.value().toObject();
        l.positions.insert(it.key(), QPointF(p.value(QStringLiteral("x")).toDouble(), p.value(QStringLiteral("y")).toDouble()));
    }
    return l;
}

Status Layout::save(const QString &root) const
{
    QJsonObject nodes;
    for (auto it = positions.begin(); it != positions.end(); ++it)
        nodes.insert(it.key(), QJsonObject{{QStringLiteral("x"), it.value().x()}, {QStringLiteral("y"), it.value().y()}});
    QDir().mkpath(root + QStringLiteral("/.orrery"));
    return common::writeFileAtomically(pathFor(root), QJsonDocument(QJsonObject{{QStringLiteral("version"), 1}, {QStringLiteral("nodes"), nodes}}).toJson(QJsonDocument::Indented));
}

Layout Layout::fromModel(const PipelineModel &model)
{
    Layout l;
    for (NodeId n : model.nodes())
        l.positions.insert(model.stage(n)->name, model.position(n));
    return l;
}

void Layout::applyTo(PipelineModel &model) const
{
    for (NodeId n : model.nodes()) {
        auto it = positions.constFind(model.stage(n)->name);
        if (it != positions.constEnd())
            (void)model.setPosition(n, it.value());
    }
}

void Layout::autoLayout(PipelineModel &model, const Layout &known)
{
    QHash<NodeId, int> depth;
    const auto nodes = model.nodes();
    // Depth = longest path from a source; edges come from an acyclic model.
    bool changed = true;
    for (NodeId n : nodes)
        depth.insert(n, 0);
    for (int round = 0; changed && round < nodes.size(); ++round) {
        changed = false;
        for (const auto &e : model.edges())
            if (depth.value(e.to) < depth.value(e.from) + 1) {
                depth.insert(e.to, depth.value(e.from) + 1);
                changed = true;
            }
    }
    QHash<int, int> rows;
    for (NodeId n : nodes) {
        const int d = depth.value(n);
        const int row = rows.value(d);
        rows.insert(d, row + 1);
        if (!known.positions.contains(model.stage(n)->name))
            (void)model.setPosition(n, QPointF(d * 220.0, row * 120.0));
    }
}

} // namespace orrery::pipeline
