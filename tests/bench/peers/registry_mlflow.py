"""The peer of bench_registry: MLflow 2.4's own model registry store (SqlAlchemyStore over SQLite,
what `mlflow server --backend-store-uri sqlite:///…` serves) with the same shape — MODELS models ×
VERSIONS versions, two tags per version, champion and challenger aliases — written straight into
its tables, then read through the store's API as its REST handlers read it:
  mlflow_registry_models_list_1k   search_registered_models(max_results=1000): models with latest versions and aliases
  mlflow_registry_versions_by_run  search_model_versions("run_id = '…'")
  mlflow_registry_versions_by_tag  search_model_versions("name = '…' and tag.dataset = '…'")  (MLflow 2.4 has no tag filter: name filter + client-side tag match)
  mlflow_registry_version_get      get_model_version(name, version) (no lineage in MLflow: the closest read)
Usage: registry_mlflow.py WORKDIR [MODELS] [VERSIONS]   (PYTHONPATH=tests/vendor/mlflow-2.4)
"""
import os
import sqlite3
import statistics
import sys
import time

from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore


def run_id(m, v):
    return f"{m:016x}{v:016x}"


def main():
    work = sys.argv[1]
    models = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
    versions = int(sys.argv[3]) if len(sys.argv) > 3 else 100
    os.makedirs(work, exist_ok=True)
    path = os.path.join(work, "mlflow-registry.db")
    if os.path.exists(path):
        os.remove(path)
    store = SqlAlchemyStore("sqlite:///" + path)
    t0 = 1760000000000
    c = sqlite3.connect(path)
    start = time.perf_counter()
    with c:
        c.executemany("INSERT INTO registered_models(name, creation_time, last_updated_time, description) VALUES (?, ?, ?, '')",
                      [(f"model-{m:04d}", t0, t0) for m in range(models)])
        c.executemany("INSERT INTO model_versions(name, version, creation_time, last_updated_time, description, user_id, current_stage, "
                      "source, run_id, status, status_message, run_link) VALUES (?, ?, ?, ?, '', 'bench', 'None', ?, ?, 'READY', '', '')",
                      [(f"model-{m:04d}", v, t0 + v, t0 + v, f"runs:/{run_id(m, v)}/model", run_id(m, v))
                       for m in range(models) for v in range(1, versions + 1)])
        c.executemany("INSERT INTO model_version_tags(key, value, name, version) VALUES (?, ?, ?, ?)",
                      [(k, val, f"model-{m:04d}", v) for m in range(models) for v in range(1, versions + 1)
                       for k, val in (("team", f"team-{m % 50}"), ("dataset", f"ds-{v}"))])
        c.executemany("INSERT INTO registered_model_aliases(alias, version, name) VALUES (?, ?, ?)",
                      [(a, v, f"model-{m:04d}") for m in range(models) for a, v in (("champion", versions - 1), ("challenger", versions))])
    print(f"bench mlflow_registry_populate_{models}x{versions} {time.perf_counter() - start:.1f} s")

    def timed(f, rounds):
        times = []
        for r in range(rounds):
            t = time.perf_counter()
            f(r)
            times.append((time.perf_counter() - t) * 1000)
        return statistics.median(times)

    def list_models(_):
        page = store.search_registered_models(max_results=1000)
        assert len(page) == min(models, 1000), len(page)
    print(f"bench mlflow_registry_models_list_{models // 1000}k {timed(list_models, 5):.2f} ms")

    def by_run(r):
        found = store.search_model_versions(f"run_id = '{run_id((r * 37) % models, 1 + (r * 13) % versions)}'")
        assert len(found) == 1, len(found)
    print(f"bench mlflow_registry_versions_by_run {timed(by_run, 21):.3f} ms")

    def by_tag(r):
        name = f"model-{(r * 37) % models:04d}"
        wanted = f"ds-{1 + (r * 13) % versions}"
        found = [v for v in store.search_model_versions(f"name = '{name}'") if v.tags.get("dataset") == wanted]
        assert len(found) == 1, len(found)
    print(f"bench mlflow_registry_versions_by_tag {timed(by_tag, 21):.3f} ms")

    def get(r):
        store.get_model_version(f"model-{(r * 37) % models:04d}", 1 + (r * 13) % versions)
    print(f"bench mlflow_registry_version_get {timed(get, 21):.3f} ms")


if __name__ == "__main__":
    main()
