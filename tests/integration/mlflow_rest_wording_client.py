"""MLflow 2.4's own Python client (tests/vendor/mlflow-2.4 on PYTHONPATH) against a real
`orrery-cli tracking serve` started in SERVER_CWD: what the client sees of the facade's MLflow
wording (errors come back as MlflowException "ERROR_CODE: message").

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


# MLflow's wording, as the client raises it.
exp = client.create_experiment("wording")
got = message(lambda: client.search_runs([exp], max_results=50001))
check(got == "INVALID_PARAMETER_VALUE: Invalid value 50001 for parameter 'max_results' supplied. Hint: Value was of type 'int'." + HINT,
      f"search_runs max_results: {got}")
print("OK")
