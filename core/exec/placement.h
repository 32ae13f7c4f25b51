#pragma once
// executors.yaml: where each pipeline stage runs and what it asks for. Orrery's own file beside
// dvc.yaml (versioned with the project); DVC does not read it, so `dvc repro` still runs the same
// dvc.yaml locally, and a stage's cache entry, dvc.lock and tracking do not depend on where it ran.
//
//   default:              # every stage not named under `stages` (optional; local when absent)
//     executor: local
//   stages:
//     train:
//       executor: slurm   # local | slurm | kubernetes
//       cpus: 2
//       memory: 4G        # 512M, 4G, 4GB, or a number of megabytes
//       gpus: 0
//       time_limit: 30m
//       partition: debug  # slurm
//       nodes: 2          # slurm: a data-parallel `orrery-cli train` as nodes × tasks_per_node
//       tasks_per_node: 1 #   ranks under srun (slurm_executor.h, "Several tasks")
//       namespace: ml     # kubernetes (default: "default")
//       image: registry/orrery:1   # kubernetes: required
//       volume_claim: ws  # kubernetes: the PersistentVolumeClaim holding the workspace (else a hostPath)
//       context: prod     # kubernetes: kubectl's context (else its current one)
//
// A stage entry inherits what it leaves out from `default`. Every problem is reported with its
// place (FILE:LINE:COLUMN) before anything runs; stage names are checked against dvc.yaml by the
// pipeline, which knows them.

#include "core/common/status.h"
#include "core/exec/executor.h"

#include <QJsonObject>
#include <QMap>
#include <QString>
#include <QStringList>

namespace YAML {
class Node;
}
namespace orrery::common {
class YamlCheck;
}

namespace orrery::exec {

struct Placement {
    QString executor = QStringLiteral("local");
    Resources resources;
    qint64 timeLimitMs = 0; // 0: none (the executor's or the scheduler's default)
};

struct Placements {
    QString file;                          // absolute; empty when the workspace has none
    Placement fallback;                    // `default`
    QMap<QString, Placement> stages;       // by stage name
    QMap<QString, int> stageLines;         // where each stage entry starts, for messages

    Placement forStage(const QString &stage) const { return stages.value(stage, fallback); }
    // True when every stage runs locally (no file, or one that only names local).
    bool allLocal() const;
};

// The executors Orrery knows, in the order messages list them.
QStringList executorNames();

Result<Placements> parsePlacements(const QByteArray &yaml, const QString &path);
// One entry's keys (executor, cpus, memory, …) over `base`, its problems into `check`: an
// executors.yaml stage, and a sweep file's `placement:` (where its trials run).
Placement readPlacement(common::YamlCheck &check, const YAML::Node &node, const QString &what, const Placement &base = Placement());
// `root`/executors.yaml; all stages local when there is no such file.
Result<Placements> loadPlacements(const QString &root);

// Where and with what a stage runs, for a card: "slurm · 2 CPUs · 4 GB · 30m"; "" for local with
// no resources asked.
QString describePlacement(const Placement &placement);

// What a database keeps of a placement (a sweep's spec), and back.
QJsonObject placementToJson(const Placement &placement);
Placement placementFromJson(const QJsonObject &json);

// "512M", "4G", "4GB", "2T", or a bare number of megabytes → megabytes.
Result<qint64> parseMemoryMb(const QString &text);

} // namespace orrery::exec
