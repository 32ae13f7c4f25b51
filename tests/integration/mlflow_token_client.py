"""MLflow 2.4's own client against `orrery-cli tracking serve --token-file` (tst_cli_tracking).

  mlflow_token_client.py URL allowed TMPDIR   a run with a param, a metric and an artifact, read back; prints OK
  mlflow_token_client.py URL refused TMPDIR   prints "REFUSED <error_code>" when the server turns the client away

The token comes from MLFLOW_TRACKING_TOKEN, as any MLflow user sets it; the client sends it as
`Authorization: Bearer <token>`, also to the artifact proxy.
"""
import os
import sys

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient


def check(condition, what):
    if not condition:
        sys.exit("FAILED: %s" % (what,))


def allowed(tmp):
    mlflow.set_experiment("token-rule")
    path = os.path.join(tmp, "token-note.txt")
    with open(path, "w") as f:
        f.write("served with a token\n")
    with mlflow.start_run() as run:
        mlflow.log_param("lr", "0.01")
        mlflow.log_metric("loss", 0.25, step=3)
        mlflow.log_artifact(path)
    client = MlflowClient()
    got = client.get_run(run.info.run_id)
    check(got.data.params.get("lr") == "0.01", got.data.params)
    check(got.data.metrics.get("loss") == 0.25, got.data.metrics)
    target = os.path.join(tmp, "download")
    os.makedirs(target, exist_ok=True)
    out = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="token-note.txt", dst_path=target)
    with open(out) as f:
        check(f.read() == "served with a token\n", "the artifact comes back")
    print("OK")


def refused():
    try:
        MlflowClient().search_experiments()
    except MlflowException as e:
        print("REFUSED %s" % e.error_code)
        return
    sys.exit("FAILED: the server answered without a valid token")


if __name__ == "__main__":
    mlflow.set_tracking_uri(sys.argv[1])
    if sys.argv[2] == "allowed":
        allowed(sys.argv[3])
    else:
        refused()
