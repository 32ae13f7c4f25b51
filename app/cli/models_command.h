#pragma once
// orrery-cli models …: the registry from a terminal (models_command.cpp: the dispatcher, list,
// show, register; models_command_aliases.cpp: promote, demote, alias, history, archive, card,
// gates). Shared here: the JSON of models and versions, and the model references `predict`
// resolves (NAME@ALIAS, NAME/VERSION, models:/NAME@ALIAS, models:/NAME/VERSION).

#include "app/cli/cli.h"

#include "core/registry/model_registry.h"

#include <optional>

namespace orrery::workspace {
class Workspace;
}

namespace orrery::cli {

// One `models` subcommand's call: its parser (options already parsed), the positional arguments
// after the subcommand's name, the workspace and its registry.
struct ModelsCall {
    CommandParser &p;
    QStringList args;
    workspace::Workspace &ws;
    registry::ModelRegistry &registry;
};

int modelsPromote(ModelsCall &call);
int modelsDemote(ModelsCall &call);
int modelsAlias(ModelsCall &call);
int modelsHistory(ModelsCall &call);
int modelsArchive(ModelsCall &call);
int modelsCard(ModelsCall &call);
int modelsGates(ModelsCall &call);

QString modelsIsoTime(qint64 ms); // "2026-12-04T21:00:00.000Z", empty for 0
QJsonObject modelJson(const registry::RegisteredModel &m);
QJsonObject versionJson(const registry::ModelVersion &v);
QJsonObject aliasChangeJson(const registry::AliasChange &c);

// A version number as a user writes it ("3" or "v3"); `what` names the argument in the error.
Result<int> parseVersionNumber(const QString &text, const QString &what);
// Prints a registry error, with `hint` (how to fix it) when the message has none; exit 2.
int failModels(const Status &status, const QString &hint = QString());

// A registered model named on the command line, as MLflow's model URIs name them.
struct ModelReference {
    QString name;
    int version = 0; // or
    QString alias;
};
// NAME@ALIAS, NAME/VERSION, models:/NAME@ALIAS, models:/NAME/VERSION; nullopt when `text` is
// none of them (then it is a file name).
std::optional<ModelReference> parseModelReference(const QString &text);

// The md5-verified cached file of the registered version `ref` names (`text` as the user wrote
// it, for errors), for predict and serve (app/cli/predict_command.cpp); its version number goes
// to `versionOut`.
Result<QString> resolveRegisteredModel(const Context &context, const ModelReference &ref, const QString &text, int *versionOut = nullptr);

} // namespace orrery::cli
