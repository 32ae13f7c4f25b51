#include "ui/pipeline/stage_ports.h"

#include "core/pipeline/pipeline_graph.h"
#include "ui/pipeline/stage_command.h"

#include <QFileInfo>

namespace orrery::ui {

using namespace orrery::pipeline;

QString StagePorts::typeOfPath(const QString &path)
{
    const QString lower = path.toLower();
    const QString ext = QFileInfo(lower).suffix();
    if (ext == QLatin1String("csv") || ext == QLatin1String("tsv") || ext == QLatin1String("parquet"))
        return QStringLiteral("table");
    if (ext == QLatin1String("pt") || ext == QLatin1String("onnx") || ext == QLatin1String("pkl") || lower.startsWith(QLatin1String("models/"))
        || QFileInfo(lower).baseName().contains(QLatin1String("model")))
        return QStringLiteral("model");
    if (ext == QLatin1String("json"))
        return QStringLiteral("json");
    if (ext == QLatin1String("yaml") || ext == QLatin1String("yml"))
        return QStringLiteral("yaml");
    return QStringLiteral("file");
}

QString StagePorts::typeOfParam(const QString &paramName)
{
    const QString n = paramName.toLower();
    if (n.contains(QLatin1String("model")))
        return QStringLiteral("model");
    if (n.contains(QLatin1String("schema")) || n.contains(QLatin1String("rules")))
        return QStringLiteral("yaml");
    if (n.contains(QLatin1String("metric")) || n.contains(QLatin1String("report")))
        return QStringLiteral("json");
    if (n == QLatin1String("input") || n == QLatin1String("source") || n == QLatin1String("train") || n == QLatin1String("test")
        || n == QLatin1String("data"))
        return QStringLiteral("table");
    return QStringLiteral("file");
}

bool StagePorts::compatible(const QString &outType, const QString &inType)
{
    return outType == inType || outType == QLatin1String("file") || inType == QLatin1String("file");
}

QVector<Port> StagePorts::inputs(const Stage &stage, const StageType *type)
{
    QVector<Port> ports;
    QStringList covered;
    if (type) {
        const auto call = stage.cmd.size() == 1 ? StageCommand::parse(stage.cmd.front()) : std::nullopt;
        for (const auto &p : type->params) {
            if (p.kind != ParamKind::Input)
                continue;
            const QString value = call ? call->value(p.name).value_or(QString()) : QString();
            covered << value;
            Port port;
            port.key = QStringLiteral("param:") + p.name;
            port.label = p.name;
            port.path = value;
            // The option's own meaning decides its type; a value with a telling extension refines "file".
            port.type = typeOfParam(p.name);
            if (port.type == QLatin1String("file") && !value.isEmpty())
                port.type = typeOfPath(value);
            ports.append(port);
        }
    }
    for (const QString &d : stage.deps) {
        if (covered.contains(d))
            continue;
        ports.append(Port{QStringLiteral("dep:") + d, d, d, typeOfPath(d), true});
    }
    ports.append(Port{QStringLiteral("add"), QStringLiteral("+ dep"), QString(), QStringLiteral("file"), true});
    return ports;
}

QVector<Port> StagePorts::outputs(const Stage &stage, const StageType *type)
{
    QVector<Port> ports;
    const auto call = type && stage.cmd.size() == 1 ? StageCommand::parse(stage.cmd.front()) : std::nullopt;
    for (const auto &[kind, o] : stage.allOutputs()) {
        QString label = o.path;
        if (call)
            for (const auto &[name, value] : call->args)
                if (value == o.path)
                    label = name + QStringLiteral(": ") + QFileInfo(o.path).fileName();
        ports.append(Port{o.path, label, o.path, typeOfPath(o.path), false});
    }
    return ports;
}

Result<Stage> StagePorts::connect(const PipelineModel &model, NodeId from, const QString &outPath, NodeId to, const QString &inKey,
                                  const StageType *targetType)
{
    const Stage *src = model.stage(from);
    const Stage *dst = model.stage(to);
    if (!src || !dst)
        return notFound(QStringLiteral("the stage is gone"));
    if (from == to)
        return invalidArgument(QStringLiteral("'%1' cannot read its own output %2").arg(dst->name, outPath));
    Port in;
    bool found = false;
    for (const Port &p : inputs(*dst, targetType))
        if (p.key == inKey) {
            in = p;
            found = true;
        }
    if (!found)
        return notFound(QStringLiteral("'%1' has no input '%2'").arg(dst->name, inKey));
    const QString outType = typeOfPath(outPath);
    if (!compatible(outType, in.type))
        return invalidArgument(QStringLiteral("type mismatch: %1 is a %2, but %3's input '%4' takes a %5")
                                   .arg(outPath, outType, dst->name, in.label, in.type));
    if (dst->deps.contains(outPath) && (in.path == outPath || in.key == QLatin1String("add")))
        return Status(ErrorCode::AlreadyExists, QStringLiteral("'%1' already reads %2").arg(dst->name, outPath));

    Stage after = *dst;
    auto replaceDep = [&](const QString &old) {
        const int i = int(after.deps.indexOf(old));
        if (!old.isEmpty() && i >= 0 && !after.deps.contains(outPath))
            after.deps[i] = outPath;
        else if (!after.deps.contains(outPath))
            after.deps.append(outPath);
        if (!old.isEmpty() && old != outPath)
            after.deps.removeAll(old);
    };
    if (in.key.startsWith(QLatin1String("param:"))) {
        auto call = StageCommand::parse(after.cmd.front());
        if (!call)
            return invalidArgument(QStringLiteral("'%1' is not a built-in stage call").arg(dst->name));
        call->setValue(in.key.mid(6), outPath);
        after.cmd = QStringList{call->toCommandLine()};
        replaceDep(in.path);
    } else if (in.key.startsWith(QLatin1String("dep:"))) {
        replaceDep(in.path);
    } else {
        after.deps.append(outPath);
    }
    // The model's own checks (cycle named, outs written twice), on the graph as it would be.
    QVector<Stage> all;
    for (NodeId n : model.nodes())
        all.append(n == to ? after : *model.stage(n));
    ORRERY_TRY(PipelineGraph::build(all).status());
    return after;
}

} // namespace orrery::ui
