"""A second, independent client for `orrery-cli tracking serve`: Python's requests, used the way
MLflow's Python client uses it (mlflow/utils/rest_utils.py: a keep-alive Session; GET sends the
request message as query parameters, other methods as a JSON body; artifacts are PUT as the raw
file, streamed from the open file object). MLflow itself cannot be installed here, so this
replays its calls for a training script's life and checks the answers as the client reads them.

    python3 mlflow_client_flow.py http://127.0.0.1:PORT WORKDIR       the whole flow; prints OK
    python3 mlflow_client_flow.py http://127.0.0.1:PORT WORKDIR log   log 500 points and exit at once
"""
import json
import math
import os
import sys

import requests

BASE = sys.argv[1].rstrip("/")
WORK = sys.argv[2]
MODE = sys.argv[3] if len(sys.argv) > 3 else "flow"
session = requests.Session()


def call(method, endpoint, body=None, expect=200):
    url = f"{BASE}/api/2.0/mlflow/{endpoint}"
    if method == "GET":
        r = session.get(url, params=body)
    else:
        r = session.request(method, url, json=body)
    assert r.status_code == expect, f"{method} {endpoint}: {r.status_code} {r.text}"
    assert r.headers["Content-Type"] == "application/json", r.headers
    return r.json()


def check(condition, what):
    if not condition:
        raise AssertionError(what)


def experiment_id(name):
    r = session.get(f"{BASE}/api/2.0/mlflow/experiments/get-by-name", params={"experiment_name": name})
    if r.status_code == 404:
        check(r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST", r.text)
        return call("POST", "experiments/create", {"name": name})["experiment_id"]
    return r.json()["experiment"]["experiment_id"]


def start_run(exp_id, name):
    tags = [{"key": "mlflow.user", "value": "root"}, {"key": "mlflow.source.name", "value": "train.py"},
            {"key": "mlflow.source.type", "value": "LOCAL"}, {"key": "mlflow.runName", "value": name}]
    run = call("POST", "runs/create", {"experiment_id": exp_id, "user_id": "root", "start_time": 1700000000123,
                                       "tags": tags, "run_name": name})["run"]
    return run["info"]["run_id"], run


def log_only():
    exp_id = experiment_id("killed-server")
    run_id, _ = start_run(exp_id, "before-sigterm")
    metrics = [{"key": "loss", "value": 1.0 / (i + 1), "timestamp": 1700000000000 + i, "step": i} for i in range(500)]
    call("POST", "runs/log-batch", {"run_id": run_id, "metrics": metrics})
    print(run_id)


def flow():
    exp_id = experiment_id("python-client")
    check(experiment_id("python-client") == exp_id, "set_experiment twice finds the same experiment")
    run_id, run = start_run(exp_id, "py-run")
    info = run["info"]
    check(info["status"] == "RUNNING" and info["start_time"] == 1700000000123 and "end_time" not in info, info)
    check(info["artifact_uri"] == f"mlflow-artifacts:/{exp_id}/{run_id}/artifacts", info)

    # mlflow.log_param / log_metric / set_tag send run_uuid beside run_id.
    ids = {"run_uuid": run_id, "run_id": run_id}
    call("POST", "runs/log-parameter", {**ids, "key": "lr", "value": "0.01"})
    for step in range(5):
        call("POST", "runs/log-metric", {**ids, "key": "loss", "value": 1.0 / (step + 1), "timestamp": 1700000001000 + step, "step": step})
    call("POST", "runs/set-tag", {**ids, "key": "mlflow.note.content", "value": "from requests"})
    # mlflow.log_metrics({...}) with a NaN: protobuf's JSON writes it as the string "NaN"...
    call("POST", "runs/log-batch", {"run_id": run_id, "metrics": [
        {"key": "acc", "value": 0.9, "timestamp": 1700000002000, "step": 0},
        {"key": "grad", "value": "NaN", "timestamp": 1700000002000, "step": 0}],
        "params": [{"key": "epochs", "value": "5"}], "tags": [{"key": "stage", "value": "train"}]})
    # ... and Python's json.dumps as a bare NaN / Infinity token, which older stacks send.
    body = json.dumps({"run_id": run_id, "metrics": [{"key": "grad", "value": float("inf"), "timestamp": 1700000002001, "step": 1},
                                                     {"key": "grad", "value": float("nan"), "timestamp": 1700000002002, "step": 2}]})
    check("Infinity" in body and "NaN" in body, body)
    r = session.post(f"{BASE}/api/2.0/mlflow/runs/log-batch", data=body, headers={"Content-Type": "application/json"})
    check(r.status_code == 200, r.text)

    # mlflow.log_artifact("model.bin", "model"): PUT the file object (streamed, Content-Length set).
    path = os.path.join(WORK, "model.bin")
    payload = os.urandom(2 * 1024 * 1024 + 3)
    with open(path, "wb") as f:
        f.write(payload)
    with open(path, "rb") as f:
        r = session.put(f"{BASE}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/model/model.bin", data=f)
    check(r.status_code == 200 and r.json() == {}, r.text)
    listing = session.get(f"{BASE}/api/2.0/mlflow-artifacts/artifacts", params={"path": f"{exp_id}/{run_id}/artifacts/model"}).json()
    check(listing == {"files": [{"path": "model.bin", "is_dir": False, "file_size": len(payload)}]}, listing)
    r = session.get(f"{BASE}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/model/model.bin", stream=True)
    check(r.status_code == 200 and r.raw.read() == payload, "download returns the uploaded bytes")

    # mlflow.log_input(dataset, context="training"): the dataset comes back in run.inputs.
    dataset = {"name": "train", "digest": "a1b2c3d4", "source_type": "local", "source": '{"uri": "train.csv"}',
               "schema": '{"mlflow_colspec": []}', "profile": '{"num_rows": 3}'}
    tags = [{"key": "mlflow.data.context", "value": "training"}]
    call("POST", "runs/log-inputs", {"run_id": run_id, "datasets": [{"tags": tags, "dataset": dataset}]})
    inputs = call("GET", "runs/get", {"run_id": run_id})["run"]["inputs"]
    check(inputs == {"dataset_inputs": [{"tags": tags, "dataset": dataset}]}, inputs)
    err = call("POST", "runs/log-inputs", {"run_id": run_id, "datasets": [{"dataset": {**dataset, "digest": "f" * 64}}]}, expect=400)
    check(err["error_code"] == "INVALID_PARAMETER_VALUE" and "datasets[0].dataset.digest" in err["message"], err)

    # MlflowClient.delete_artifacts: DELETE on the proxy; gone from the listing, 404 the second time.
    r = session.put(f"{BASE}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/scratch/tmp.txt", data=b"scratch")
    check(r.status_code == 200, r.text)
    r = session.delete(f"{BASE}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/scratch")
    check(r.status_code == 200 and r.json() == {}, r.text)
    r = session.delete(f"{BASE}/api/2.0/mlflow-artifacts/artifacts/{exp_id}/{run_id}/artifacts/scratch")
    check(r.status_code == 404 and r.json()["error_code"] == "RESOURCE_DOES_NOT_EXIST", r.text)

    # mlflow.end_run()
    info = call("POST", "runs/update", {**ids, "status": "FINISHED", "end_time": 1700000009000})["run_info"]
    check(info["status"] == "FINISHED" and info["end_time"] == 1700000009000, info)

    run = call("GET", "runs/get", {"run_id": run_id})["run"]
    latest = {m["key"]: m for m in run["data"]["metrics"]}
    check(latest["loss"]["value"] == 0.2 and latest["loss"]["step"] == 4, latest)
    check(latest["grad"]["value"] == "NaN" and latest["grad"]["step"] == 2, latest)
    check({"key": "epochs", "value": "5"} in run["data"]["params"], run["data"])
    check({"key": "stage", "value": "train"} in run["data"]["tags"], run["data"])

    history = call("GET", "metrics/get-history", {"run_uuid": run_id, "run_id": run_id, "metric_key": "grad", "max_results": 25000})["metrics"]
    values = [m["value"] for m in history]
    check(values == ["NaN", "Infinity", "NaN"], values)
    check(float(values[1]) == math.inf, "the strings are what float() reads back")

    found = call("POST", "runs/search", {"experiment_ids": [exp_id], "filter": "metrics.acc > 0.5 and params.lr = '0.01'",
                                         "run_view_type": "ACTIVE_ONLY", "max_results": 1000, "order_by": []})
    check([r["info"]["run_id"] for r in found["runs"]] == [run_id], found)
    experiments = call("GET", "experiments/search", {"max_results": 1000, "view_type": "ACTIVE_ONLY"})["experiments"]
    check("python-client" in [e["name"] for e in experiments], experiments)

    # Bad input gets MLflow's answers, and the session goes on.
    err = call("POST", "experiments/create", {"name": "python-client"}, expect=400)
    check(err["error_code"] == "RESOURCE_ALREADY_EXISTS", err)
    err = call("POST", "runs/log-parameter", {**ids, "key": "lr", "value": "0.1"}, expect=400)
    check(err["error_code"] == "INVALID_PARAMETER_VALUE", err)
    err = call("GET", "runs/get", {"run_id": "f" * 32}, expect=404)
    check(err["error_code"] == "RESOURCE_DOES_NOT_EXIST", err)
    big = {"run_id": run_id, "tags": [{"key": "pad", "value": "x" * 1_100_000}]}
    r = session.post(f"{BASE}/api/2.0/mlflow/runs/log-batch", json=big)
    check(r.status_code == 413, f"{r.status_code} {r.text[:200]}")
    call("POST", "runs/delete", {"run_id": run_id})
    err = call("POST", "runs/log-metric", {**ids, "key": "loss", "value": 0.1, "timestamp": 1, "step": 9}, expect=400)
    check(err["error_code"] == "INVALID_PARAMETER_VALUE", err)
    call("POST", "runs/restore", {"run_id": run_id})
    check(call("GET", "runs/get", {"run_id": run_id})["run"]["info"]["lifecycle_stage"] == "active", "restored")

    # MlflowClient.rename_experiment, then delete_experiment: its runs are deleted with it, and
    # restored with it.
    call("POST", "experiments/update", {"experiment_id": exp_id, "new_name": "python-client-renamed"})
    check(experiment_id("python-client-renamed") == exp_id, "renamed")
    call("POST", "experiments/delete", {"experiment_id": exp_id})
    check(call("GET", "runs/get", {"run_id": run_id})["run"]["info"]["lifecycle_stage"] == "deleted", "deleted with its experiment")
    err = call("POST", "experiments/update", {"experiment_id": exp_id, "new_name": "x"}, expect=400)
    check(err["error_code"] == "INVALID_STATE", err)
    call("POST", "experiments/restore", {"experiment_id": exp_id})
    check(call("GET", "runs/get", {"run_id": run_id})["run"]["info"]["lifecycle_stage"] == "active", "restored with its experiment")
    print("OK")


if __name__ == "__main__":
    log_only() if MODE == "log" else flow()
