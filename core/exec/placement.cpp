#include "core/exec/placement.h"

#include "core/common/duration.h"
#include "core/common/yaml_check.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QRegularExpression>

#include <algorithm>

namespace orrery::exec {

using common::YamlCheck;

QStringList executorNames()
{
    return {QStringLiteral("local"), QStringLiteral("slurm"), QStringLiteral("kubernetes")};
}

bool Placements::allLocal() const
{
    if (fallback.executor != QLatin1String("local"))
        return false;
    for (const Placement &p : stages)
        if (p.executor != QLatin1String("local"))
            return false;
    return true;
}

QString describePlacement(const Placement &placement)
{
    QStringList parts;
    const Resources &r = placement.resources;
    QString where = placement.executor;
    if (!r.partition.isEmpty())
        where += QLatin1Char(' ') + r.partition;
    if (!r.nameSpace.isEmpty())
        where += QLatin1Char(' ') + r.nameSpace;
    parts << where;
    if (r.tasks() > 1)
        parts << QStringLiteral("%1 × %2 tasks").arg(std::max(1, r.nodes)).arg(std::max(1, r.tasksPerNode));
    if (r.cpus > 0)
        parts << QStringLiteral("%1 CPU%2").arg(r.cpus).arg(r.cpus == 1 ? QString() : QStringLiteral("s"));
    if (r.memoryMb > 0)
        parts << (r.memoryMb % 1024 == 0 ? QStringLiteral("%1 GB").arg(r.memoryMb / 1024) : QStringLiteral("%1 MB").arg(r.memoryMb));
    if (r.gpus > 0)
        parts << QStringLiteral("%1 GPU%2").arg(r.gpus).arg(r.gpus == 1 ? QString() : QStringLiteral("s"));
    if (placement.timeLimitMs > 0)
        parts << common::durationText(placement.timeLimitMs);
    if (parts.size() == 1 && placement.executor == QLatin1String("local"))
        return QString();
    return parts.join(QStringLiteral(" · "));
}

QJsonObject placementToJson(const Placement &p)
{
    return QJsonObject{{QStringLiteral("executor"), p.executor},
                       {QStringLiteral("cpus"), p.resources.cpus},
                       {QStringLiteral("memory_mb"), p.resources.memoryMb},
                       {QStringLiteral("gpus"), p.resources.gpus},
                       {QStringLiteral("partition"), p.resources.partition},
                       {QStringLiteral("namespace"), p.resources.nameSpace},
                       {QStringLiteral("image"), p.resources.image},
                       {QStringLiteral("volume_claim"), p.resources.volumeClaim},
                       {QStringLiteral("context"), p.resources.context},
                       {QStringLiteral("nodes"), p.resources.nodes},
                       {QStringLiteral("tasks_per_node"), p.resources.tasksPerNode},
                       {QStringLiteral("time_limit_ms"), p.timeLimitMs}};
}

Placement placementFromJson(const QJsonObject &j)
{
    Placement p;
    p.executor = j.value(QStringLiteral("executor")).toString(QStringLiteral("local"));
    p.resources.cpus = j.value(QStringLiteral("cpus")).toInt();
    p.resources.memoryMb = j.value(QStringLiteral("memory_mb")).toInteger();
    p.resources.gpus = j.value(QStringLiteral("gpus")).toInt();
    p.resources.partition = j.value(QStringLiteral("partition")).toString();
    p.resources.nameSpace = j.value(QStringLiteral("namespace")).toString();
    p.resources.image = j.value(QStringLiteral("image")).toString();
    p.resources.volumeClaim = j.value(QStringLiteral("volume_claim")).toString();
    p.resources.context = j.value(QStringLiteral("context")).toString();
    p.resources.nodes = j.value(QStringLiteral("nodes")).toInt(p.resources.nodes);
    p.resources.tasksPerNode = j.value(QStringLiteral("tasks_per_node")).toInt(p.resources.tasksPerNode);
    p.timeLimitMs = j.value(QStringLiteral("time_limit_ms")).toInteger();
    return p;
}

Result<qint64> parseMemoryMb(const QString &text)
{
    static const QRegularExpression re(QStringLiteral("^\\s*(\\d+(?:\\.\\d+)?)\\s*([kKmMgGtT]?)(?:[iI]?[bB])?\\s*$"));
    const auto m = re.match(text);
    if (!m.hasMatch())
        return invalidArgument(QStringLiteral("'%1' is no amount of memory; write e.g. 512M, 4G or 4096 (megabytes)").arg(text));
    const double value = m.captured(1).toDouble();
    const QChar unit = m.captured(2).isEmpty() ? QLatin1Char('M') : m.captured(2).at(0).toUpper();
    double mb = value;
    if (unit == QLatin1Char('K'))
        mb = value / 1024.0;
    else if (unit == QLatin1Char('G'))
        mb = value * 1024.0;
    else if (unit == QLatin1Char('T'))
        mb = value * 1024.0 * 1024.0;
    if (mb < 1)
        return invalidArgument(QStringLiteral("memory '%1' is under one megabyte; Slurm and Kubernetes count in megabytes").arg(text));
    return qint64(mb + 0.5);
}

namespace {

const QStringList kPlacementKeys = {
    QStringLiteral("executor"), QStringLiteral("cpus"), QStringLiteral("memory"), QStringLiteral("gpus"),
    QStringLiteral("time_limit"), QStringLiteral("partition"), QStringLiteral("namespace"), QStringLiteral("image"),
    QStringLiteral("volume_claim"), QStringLiteral("context"),
    QStringLiteral("nodes"), QStringLiteral("tasks_per_node"),
};

} // namespace

Placement readPlacement(YamlCheck &check, const YAML::Node &node, const QString &what, const Placement &base)
{
    Placement p = base;
    YamlCheck::Entries e;
    if (!check.entries(node, what, kPlacementKeys, &e))
        return p;
    if (e.contains(QStringLiteral("executor"))) {
        const auto &[keyNode, valueNode] = e.value(QStringLiteral("executor"));
        if (auto name = check.text(valueNode, what + QStringLiteral(" executor"), QStringLiteral("slurm"))) {
            if (executorNames().contains(*name))
                p.executor = *name;
            else
                check.error(valueNode.Mark(), QStringLiteral("unknown executor '%1' in %2; %3the executors are: %4")
                                                  .arg(*name, what, common::nearestWord(*name, executorNames()), executorNames().join(QStringLiteral(", "))));
        }
    }
    auto count = [&](const char *key, int *out) {
        if (!e.contains(QLatin1String(key)))
            return;
        if (auto n = check.integer(e.value(QLatin1String(key)).second, what + QLatin1Char(' ') + QLatin1String(key), 0, 4096))
            *out = int(*n);
    };
    count("cpus", &p.resources.cpus);
    count("gpus", &p.resources.gpus);
    // Data-parallel ranks on Slurm: at least one of each when written.
    for (const auto &[key, out] : {std::pair{"nodes", &p.resources.nodes}, std::pair{"tasks_per_node", &p.resources.tasksPerNode}})
        if (e.contains(QLatin1String(key)))
            if (auto n = check.integer(e.value(QLatin1String(key)).second, what + QLatin1Char(' ') + QLatin1String(key), 1, 4096))
                *out = int(*n);
    if (e.contains(QStringLiteral("memory"))) {
        const YAML::Node v = e.value(QStringLiteral("memory")).second;
        if (auto t = check.text(v, what + QStringLiteral(" memory"), QStringLiteral("4G"))) {
            if (auto mb = parseMemoryMb(*t))
                p.resources.memoryMb = *mb;
            else
                check.error(v.Mark(), QStringLiteral("%1 memory: %2").arg(what, mb.status().message()));
        }
    }
    if (e.contains(QStringLiteral("time_limit"))) {
        if (auto ms = check.duration(e.value(QStringLiteral("time_limit")).second, what + QStringLiteral(" time_limit"), 1000, 365LL * 24 * 3'600'000))
            p.timeLimitMs = *ms;
    }
    auto word = [&](const char *key, QString *out, const char *example) {
        if (e.contains(QLatin1String(key)))
            if (auto t = check.text(e.value(QLatin1String(key)).second, what + QLatin1Char(' ') + QLatin1String(key), QLatin1String(example)))
                *out = *t;
    };
    word("partition", &p.resources.partition, "debug");
    word("namespace", &p.resources.nameSpace, "ml");
    word("image", &p.resources.image, "registry.example/orrery:1");
    word("volume_claim", &p.resources.volumeClaim, "workspace");
    word("context", &p.resources.context, "kind-orrery");
    // A setting the chosen executor never reads is a mistake the user should hear about, not a
    // silent no-op (a partition on a Kubernetes stage).
    auto onlyFor = [&](const char *key, const QString &executor) {
        if (e.contains(QLatin1String(key)) && p.executor != executor)
            check.error(e.value(QLatin1String(key)).first.Mark(),
                        QStringLiteral("%1 sets %2, which only the %3 executor reads (this one runs on %4); remove it or set executor: %3")
                            .arg(what, QLatin1String(key), executor, p.executor));
    };
    onlyFor("partition", QStringLiteral("slurm"));
    onlyFor("nodes", QStringLiteral("slurm"));
    onlyFor("tasks_per_node", QStringLiteral("slurm"));
    onlyFor("namespace", QStringLiteral("kubernetes"));
    onlyFor("image", QStringLiteral("kubernetes"));
    onlyFor("volume_claim", QStringLiteral("kubernetes"));
    onlyFor("context", QStringLiteral("kubernetes"));
    // A pod runs an image; there is no sensible default (the Containerfile the Deployment export
    // writes is the one Orrery knows how to make), so it is asked for here, before anything runs.
    if (p.executor == QLatin1String("kubernetes") && p.resources.image.isEmpty())
        check.error(node.Mark(), QStringLiteral("%1 runs on kubernetes but names no image; build one with "
                                                "`orrery-cli export containerfile ENDPOINT --out DIR` (Orrery on debian:12) and name it "
                                                "here with image:")
                                     .arg(what));
    return p;
}

Result<Placements> parsePlacements(const QByteArray &yaml, const QString &path)
{
    Placements out;
    out.file = QFileInfo(path).absoluteFilePath();
    YamlCheck check(path);
    try {
        const YAML::Node root = YAML::Load(yaml.toStdString());
        YamlCheck::Entries top;
        if (root.IsNull()) {
            // An empty file: everything local.
        } else if (check.entries(root, QStringLiteral("executors.yaml"), {QStringLiteral("default"), QStringLiteral("stages")}, &top)) {
            if (top.contains(QStringLiteral("default")))
                out.fallback = readPlacement(check, top.value(QStringLiteral("default")).second, QStringLiteral("the default"), Placement());
            if (top.contains(QStringLiteral("stages"))) {
                const YAML::Node stages = top.value(QStringLiteral("stages")).second;
                if (!stages.IsMap()) {
                    check.error(stages.Mark(), QStringLiteral("stages must map stage names to their settings, e.g. 'train: {executor: slurm, cpus: 2}'"));
                } else {
                    for (const auto &kv : stages) {
                        const QString name = QString::fromStdString(kv.first.Scalar());
                        if (out.stages.contains(name)) {
                            check.error(kv.first.Mark(), QStringLiteral("stage '%1' appears twice; keep one").arg(name));
                            continue;
                        }
                        out.stages.insert(name, readPlacement(check, kv.second, QStringLiteral("stage '%1'").arg(name), out.fallback));
                        out.stageLines.insert(name, kv.first.Mark().line + 1);
                    }
                }
            }
        }
    } catch (const YAML::Exception &e) {
        check.error(e.mark, QStringLiteral("YAML syntax: %1 (quote text that holds : { } [ ] > * or #)").arg(QString::fromStdString(e.msg)));
    }
    if (check.count() > 0)
        return invalidArgument(check.errors().join(QLatin1Char('\n')));
    return out;
}

Result<Placements> loadPlacements(const QString &root)
{
    const QString path = QDir(root).filePath(QStringLiteral("executors.yaml"));
    QFile file(path);
    if (!file.exists())
        return Placements();
    if (!file.open(QIODevice::ReadOnly))
        return ioError(QStringLiteral("cannot read %1: %2").arg(path, file.errorString()));
    return parsePlacements(file.readAll(), path);
}

} // namespace orrery::exec
