#pragma once
// MlflowRegistryApi: MLflow 2.4's model-registry REST API over ModelRegistry, plugged into
// `tracking serve` as an extension of the tracking facade (core/tracking/mlflow_api_extension.h):
//
//   /api/2.0/mlflow/registered-models/{create,get,search,update,rename,delete,set-tag,delete-tag,
//                                      alias (POST set, DELETE, GET by alias),get-latest-versions}
//   /api/2.0/mlflow/model-versions/{create,get,search,update,delete,transition-stage,set-tag,
//                                   delete-tag,get-download-uri}
// (also under /ajax-api/2.0/). Shapes as MLflow's protobuf JSON (version is a string); errors with
// MLflow's codes and, where its client or users match on them, its wording ("Registered Model with
// name=x not found", "Model Version (name=x, version=2) not found", "Registered Model (name=x)
// already exists.").
//
// A version created here is READY once its row commits. Its source, when it names a run of this
// workspace (runs:/RUN_ID/path, or the run's artifact URI mlflow-artifacts:/EXP/RUN/artifacts/path),
// gives it the same lineage as `orrery-cli models register --run` (registry::lineageOfRun); a
// TorchScript archive among the run's artifacts is stored as the version's model file
// (storeModelFile); anything else is kept and not servable, with why. Every write answers after
// ModelRegistry's transaction committed.

#include "core/tracking/mlflow_api_extension.h"

namespace orrery::registry {

// The factory TrackingServer::start takes.
tracking::MlflowApiExtensionFactory mlflowRegistryExtension();

} // namespace orrery::registry
