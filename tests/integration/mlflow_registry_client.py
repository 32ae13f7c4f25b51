"""MLflow 2.4's own Python client (tests/vendor/mlflow-2.4 on PYTHONPATH) against a real
`orrery-cli tracking serve`: the model registry as a training script and a deploy script use it.

    PYTHONPATH=tests/vendor/mlflow-2.4 /usr/bin/python3 mlflow_registry_client.py http://127.0.0.1:PORT WORKDIR

WORKDIR/model.pt, when present, is a TorchScript archive (with extra/signature.json) logged as the
run's model and registered from runs:/RUN_ID/model/model.pt. Prints one line per check and OK.
"""
import os
import sys

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

URL = sys.argv[1]
WORK = sys.argv[2]
mlflow.set_tracking_uri(URL)
client = MlflowClient()


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok", what)


def error_code(fn):
    try:
        fn()
    except MlflowException as e:
        return e.error_code
    raise AssertionError("no MlflowException")


mlflow.set_experiment("registry-flow")
with mlflow.start_run() as run:
    mlflow.log_param("lr", "0.01")
    mlflow.log_metric("roc_auc", 0.91)
    model = os.path.join(WORK, "model.pt")
    if not os.path.exists(model):
        with open(model, "wb") as f:
            f.write(b"not a model")
    mlflow.log_artifact(model, artifact_path="model")
run_id = run.info.run_id

# register_model: creates the model, then the version (waits while PENDING_REGISTRATION).
mv = mlflow.register_model(f"runs:/{run_id}/model/model.pt", "fraud")
check(mv.version == "1" and mv.status == "READY" and mv.run_id == run_id, f"register_model -> v{mv.version} {mv.status}")
mv2 = mlflow.register_model(f"runs:/{run_id}/model/model.pt", "fraud")
check(mv2.version == "2", "a second register_model of an existing model -> v2")

client.set_registered_model_alias("fraud", "staging_candidate", "1")
byalias = client.get_model_version_by_alias("fraud", "staging_candidate")
check(byalias.version == "1" and "staging_candidate" in byalias.aliases, "set_registered_model_alias / get_model_version_by_alias")
rm = client.get_registered_model("fraud")
check(rm.aliases.get("staging_candidate") == "1", f"registered model aliases {rm.aliases}")

found = client.search_model_versions(f"run_id='{run_id}'")
check(sorted(v.version for v in found) == ["1", "2"], "search_model_versions run_id=")
found = client.search_model_versions("name='fraud'")
check(len(found) == 2, "search_model_versions name=")
models = client.search_registered_models(filter_string="name LIKE 'fra%'")
check([m.name for m in models] == ["fraud"], "search_registered_models name LIKE")
check(client.search_registered_models(filter_string="name = 'nope'") == [], "search_registered_models name = (none)")

staged = client.transition_model_version_stage("fraud", "2", "Production")
check(staged.current_stage == "Production", "transition_model_version_stage -> Production")
latest = client.get_latest_versions("fraud", stages=["Production"])
check([v.version for v in latest] == ["2"], "get_latest_versions Production")
check(sorted(v.version for v in client.get_latest_versions("fraud")) == ["1", "2"], "get_latest_versions (all stages)")

client.set_model_version_tag("fraud", "1", "owner", "risk-team")
check(client.get_model_version("fraud", "1").tags.get("owner") == "risk-team", "set_model_version_tag")
client.update_model_version("fraud", "1", description="first")
check(client.get_model_version("fraud", "1").description == "first", "update_model_version")
client.set_registered_model_tag("fraud", "team", "risk")
client.update_registered_model("fraud", description="fraud scorer")
rm = client.get_registered_model("fraud")
check(rm.tags.get("team") == "risk" and rm.description == "fraud scorer", "set_registered_model_tag / update_registered_model")
uri = client.get_model_version_download_uri("fraud", "1")
check(uri.endswith(f"/{run_id}/artifacts/model/model.pt"), f"get_model_version_download_uri {uri}")

client.delete_registered_model_alias("fraud", "staging_candidate")
check(error_code(lambda: client.get_model_version_by_alias("fraud", "staging_candidate")) == "INVALID_PARAMETER_VALUE",
      "delete_registered_model_alias; the alias is gone (INVALID_PARAMETER_VALUE)")

client.rename_registered_model("fraud", "fraud-v2")
check(client.get_model_version("fraud-v2", "2").current_stage == "Production", "rename_registered_model keeps the versions")
check(error_code(lambda: client.get_registered_model("fraud")) == "RESOURCE_DOES_NOT_EXIST", "the old name is gone (RESOURCE_DOES_NOT_EXIST)")
check(error_code(lambda: client.create_registered_model("fraud-v2")) == "RESOURCE_ALREADY_EXISTS", "create an existing model (RESOURCE_ALREADY_EXISTS)")
check(error_code(lambda: client.get_model_version("fraud-v2", "9")) == "RESOURCE_DOES_NOT_EXIST", "a missing version (RESOURCE_DOES_NOT_EXIST)")
check(error_code(lambda: client.set_registered_model_alias("fraud-v2", "x", "9")) == "RESOURCE_DOES_NOT_EXIST", "an alias on a missing version")
check(error_code(lambda: client.create_registered_model("a/b")) == "INVALID_PARAMETER_VALUE", "a name with '/' (INVALID_PARAMETER_VALUE)")

client.delete_model_version("fraud-v2", "1")
check([v.version for v in client.search_model_versions("name='fraud-v2'")] == ["2"], "delete_model_version")
client.delete_registered_model("fraud-v2")
check(client.search_registered_models() == [], "delete_registered_model")
kept = mlflow.register_model(f"runs:/{run_id}/model/model.pt", "scorer")
check(kept.version == "1" and kept.status == "READY", "a kept model for the CLI to show")
print("OK")
