#include "core/pipeline/stage.h"

namespace orrery::pipeline {

QVector<std::pair<OutKind, OutSpec>> Stage::allOutputs() const
{
    QVector<std::pair<OutKind, OutSpec>> all;
    for (const auto &o : outs)
        all.append({OutKind::Out, o});
    for (const auto &o : metrics)
        all.append({OutKind::Metric, o});
    for (const auto &o : plots)
        all.append({OutKind::Plot, o});
    return all;
}

QStringList Stage::outputPaths() const
{
    QStringList paths;
    for (const auto &[kind, o] : allOutputs())
        paths << o.path;
    return paths;
}

QString Stage::commandLine() const
{
    return cmd.join(QStringLiteral(" && "));
}

} // namespace orrery::pipeline
