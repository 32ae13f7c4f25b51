#pragma once
// The registry's plain data: registered models, their versions with lineage and validation, alias
// changes. Shared by core/registry, orrery-cli models, the MLflow registry REST facade and the
// Registry area; no behaviour here.

#include "core/tracking/tracking_types.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>
#include <QStringList>
#include <QVector>

namespace orrery::registry {

using tracking::KeyValue;

// MLflow's ModelVersionStatus. A version is READY once its file is stored in the content cache and
// verified (MLflow 2.4's client waits while PENDING_REGISTRATION and raises on anything but READY).
enum class VersionStatus { PendingRegistration, FailedRegistration, Ready };
QString versionStatusName(VersionStatus s); // "READY", …

// The validation result, a field of its own (not MLflow's status): whether the model's gates
// passed when the version was registered or last validated.
enum class Validation { NotRun, Passed, Failed };
QString validationName(Validation v); // "not_run", "passed", "failed"
Validation validationFromName(const QString &name);

// MLflow's stages, kept for clients that use them; Orrery's own flow uses aliases.
QString normalizedStage(const QString &stage); // "None" | "Staging" | "Production" | "Archived", or empty if unknown

struct ModelAlias {
    QString alias;
    int version = 0;
};

struct RegisteredModel {
    QString name;
    QString description;
    qint64 creationTime = 0; // ms since the epoch
    qint64 lastUpdatedTime = 0;
    QVector<KeyValue> tags;
    QVector<ModelAlias> aliases;
    int latestVersion = 0; // 0: no version yet
    int versionCount = 0;
    int aliasVersion(const QString &alias) const; // 0 when the alias is not set
};

// One gate's outcome as stored with a version: what was checked, the values, passed or not.
struct GateOutcome {
    QString gate;        // "roc_auc >= 0.8", "beats champion v3 on roc_auc by >= 0.01", "data tests", "signature"
    bool passed = false;
    QString explanation; // for a person: "roc_auc = 0.91 >= 0.8", "no champion yet: first version"
};

struct ModelVersion {
    QString name;
    int version = 0;
    qint64 creationTime = 0;
    qint64 lastUpdatedTime = 0;
    QString description;
    QString source;    // as registered: a path in the workspace, runs:/RUN/PATH, an artifact URI
    QString runId;     // empty for a version registered from a file
    QString runLink;
    VersionStatus status = VersionStatus::Ready;
    QString statusMessage;
    QString stage = QStringLiteral("None");
    bool archived = false;
    QString userId;

    // The model itself: a file in the content cache, verified before every load.
    QString modelMd5;      // empty when no file could be stored (an MLflow artifact elsewhere)
    qint64 modelSize = 0;
    QString modelFileName; // the registered file's name, e.g. model.pt
    QString format;        // "torchscript", "orrery.baseline_logistic", "mlflow", "file"
    QJsonObject signature; // Orrery's signature JSON ({"inputs": […], "outputs": […]}); empty when none
    QString notServableReason; // empty: may be validated, promoted and served

    // Where it came from: the run, its parent pipeline run, the experiment, the data versions
    // (path → md5), the code commit and whether the tree was dirty, the run's params and metrics.
    QJsonObject lineage;

    Validation validation = Validation::NotRun;
    QVector<GateOutcome> gateOutcomes;
    QString card; // Markdown
    QVector<KeyValue> tags;
    QStringList aliases;

    bool servable() const { return notServableReason.isEmpty() && !modelMd5.isEmpty(); }
    QHash<QString, double> metrics() const; // from the lineage
    QString parentRunId() const { return lineage.value(QStringLiteral("parent_run_id")).toString(); }
    QString commit() const { return lineage.value(QStringLiteral("commit")).toString(); }
};

// One move of an alias: to a version, or removed (version 0).
struct AliasChange {
    qint64 time = 0; // ms since the epoch
    QString name;
    QString alias;
    int version = 0;    // 0: removed
    int previous = 0;   // the version it pointed at before (0: none)
    QString actor;
    QString reason;
};

} // namespace orrery::registry
