"""Concurrent ingest into `orrery-cli tracking serve` that is killed with SIGKILL meanwhile, and the
check afterwards that every write the server acknowledged is there (tst_tracking_crash drives it).

  crash_ingest.py ingest URL ACKS.json THREADS TAG   log until the server dies; write what was acknowledged
  crash_ingest.py verify URL ACKS.json               exit 0 when every acknowledged write is stored

Each thread has its own run and keep-alive connection and loops: a log-batch of 100 metric points
(distinct steps) with one param, and every fifth round an artifact upload. A write counts as
acknowledged only when the server answered 200; a request cut off by the kill is not counted.
"""
import json
import sys
import threading

import requests


def api(base, path):
    return base + "/api/2.0/mlflow/" + path


def post(session, base, path, body):
    r = session.post(api(base, path), json=body, timeout=60)
    r.raise_for_status()
    return r.json()


def ingest(base, ack_path, threads, tag):
    setup = requests.Session()
    experiment = post(setup, base, "experiments/create", {"name": "crash-" + tag})["experiment_id"]
    runs = [post(setup, base, "runs/create", {"experiment_id": experiment, "start_time": 0})["run"]["info"]["run_id"]
            for _ in range(threads)]
    acks = {"runs": runs, "points": [], "params": [], "artifacts": []}
    lock = threading.Lock()

    def work(index, run_id):
        # Artifacts live under <experiment>/<run>/artifacts/ on MLflow's proxy.
        session = requests.Session()
        key = "loss_%d" % index
        for i in range(1_000_000):
            steps = range(i * 100, i * 100 + 100)
            metrics = [{"key": key, "value": step * 0.5 + index, "timestamp": 1_700_000_000_000 + step, "step": step}
                       for step in steps]
            param = {"key": "p%d" % i, "value": "%s-%d" % (tag, i)}
            try:
                r = session.post(api(base, "runs/log-batch"), json={"run_id": run_id, "metrics": metrics, "params": [param]},
                                 timeout=60)
            except requests.RequestException:
                return  # the server is gone: this request was not acknowledged
            if r.status_code != 200:
                print("log-batch answered %d: %s" % (r.status_code, r.text), file=sys.stderr)
                return
            with lock:
                acks["points"].append([run_id, key, i * 100, 100, index])
                acks["params"].append([run_id, param["key"], param["value"]])
            if i % 5 == 0:
                path = "%s/%s/artifacts/%s/round-%d.txt" % (experiment, run_id, tag, i)
                content = ("%s %s %d\n" % (tag, run_id, i)) * 50
                try:
                    r = session.put(base + "/api/2.0/mlflow-artifacts/artifacts/" + path, data=content.encode(), timeout=60)
                except requests.RequestException:
                    return
                if r.status_code != 200:
                    print("artifact upload answered %d: %s" % (r.status_code, r.text), file=sys.stderr)
                    return
                with lock:
                    acks["artifacts"].append([path, content])

    workers = [threading.Thread(target=work, args=(i, run)) for i, run in enumerate(runs)]
    for w in workers:
        w.start()
    print("ingesting", flush=True)
    for w in workers:
        w.join()
    with open(ack_path, "w") as f:
        json.dump(acks, f)
    print("acknowledged %d points, %d params, %d artifacts" % (
        sum(p[3] for p in acks["points"]), len(acks["params"]), len(acks["artifacts"])))


def verify(base, ack_path):
    with open(ack_path) as f:
        acks = json.load(f)
    session = requests.Session()
    missing = []
    stored = {}
    for run_id, key, first, count, index in acks["points"]:
        if (run_id, key) not in stored:
            values = {}
            token = None
            while True:
                params = {"run_id": run_id, "metric_key": key, "max_results": 25000}
                if token:
                    params["page_token"] = token
                r = session.get(api(base, "metrics/get-history"), params=params, timeout=60)
                r.raise_for_status()
                body = r.json()
                for m in body.get("metrics", []):
                    values[int(m["step"])] = float(m["value"])
                token = body.get("next_page_token")
                if not token:
                    break
            stored[(run_id, key)] = values
        values = stored[(run_id, key)]
        for step in range(first, first + count):
            if values.get(step) != step * 0.5 + index:
                missing.append("point %s/%s step %d" % (run_id, key, step))
    params = {}
    for run_id in acks["runs"]:
        r = session.get(api(base, "runs/get"), params={"run_id": run_id}, timeout=60)
        r.raise_for_status()
        params[run_id] = {p["key"]: p["value"] for p in r.json()["run"]["data"].get("params", [])}
    for run_id, key, value in acks["params"]:
        if params[run_id].get(key) != value:
            missing.append("param %s/%s" % (run_id, key))
    for path, content in acks["artifacts"]:
        r = session.get(base + "/api/2.0/mlflow-artifacts/artifacts/" + path, timeout=60)
        if r.status_code != 200 or r.content != content.encode():
            missing.append("artifact %s (%d)" % (path, r.status_code))
    if missing:
        print("%d acknowledged writes are missing, e.g. %s" % (len(missing), "; ".join(missing[:5])))
        return 1
    print("OK %d points, %d params, %d artifacts" % (
        sum(p[3] for p in acks["points"]), len(acks["params"]), len(acks["artifacts"])))
    return 0


if __name__ == "__main__":
    if sys.argv[1] == "ingest":
        ingest(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "verify":
        sys.exit(verify(sys.argv[2], sys.argv[3]))
    else:
        sys.exit("usage: crash_ingest.py ingest URL ACKS THREADS TAG | verify URL ACKS")
