"""MLflow 2.4's own Python client (tests/vendor/mlflow-2.4 on PYTHONPATH) against a real
`orrery-cli tracking serve` started in SERVER_CWD: what the client sees of the facade's MLflow
wording (errors come back as MlflowException "ERROR_CODE: message") and of a relative
artifact_location, which the server resolves against its current directory as MLflow 2.4's does.

    PYTHONPATH=tests/vendor/mlflow-2.4 /usr/bin/python3 mlflow_rest_wording_client.py http://127.0.0.1:PORT SERVER_CWD

Prints one line per check and OK.
"""
import os
import sys

import mlflow
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

URL = sys.argv[1]
SERVER_CWD = sys.argv[2]
mlflow.set_tracking_uri(URL)
client = MlflowClient()
HINT = " See the API docs for more information about request parameters."


def check(condition, what):
    if not condition:
        raise AssertionError(what)
    print("ok", what)


def message(fn):
    try:
        fn()
    except MlflowException as e:
        return e.message
    raise AssertionError("no MlflowException")


# A relative artifact_location: a plain path becomes an absolute path, a relative file: URI an
# absolute file:/// URI, both under the server's current directory; get answers the stored value.
rel = client.create_experiment("wording-relative", artifact_location="rel/dir")
got = client.get_experiment(rel).artifact_location
check(got == os.path.join(SERVER_CWD, "rel/dir"), f"relative path resolved by the server: {got}")
check(mlflow.get_experiment_by_name("wording-relative").artifact_location == got, "get-by-name answers the same")
uri = client.create_experiment("wording-file-uri", artifact_location="file:rel/x")
got = client.get_experiment(uri).artifact_location
check(got == "file://" + os.path.join(SERVER_CWD, "rel/x"), f"relative file URI resolved by the server: {got}")
absolute = client.create_experiment("wording-absolute", artifact_location="s3://bucket/p")
check(client.get_experiment(absolute).artifact_location == "s3://bucket/p", "other URIs stored as given")

# MLflow's wording, as the client raises it.
got = message(lambda: client.search_runs([rel], max_results=50001))
check(got == "INVALID_PARAMETER_VALUE: Invalid value 50001 for parameter 'max_results' supplied. Hint: Value was of type 'int'." + HINT,
      f"search_runs max_results: {got}")
print("OK")
