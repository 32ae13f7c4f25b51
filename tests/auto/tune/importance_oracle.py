#!/usr/bin/python3
"""Optuna 3.1's parameter importance (fANOVA on a random forest, scikit-learn) for a study given as
JSON, the oracle of tst_parameter_importance.

    importance_oracle.py STUDY.json  ->  {"name": share, ...} on stdout

STUDY.json: {"params": [{"name", "kind": "float"|"int"|"categorical", "low", "high", "log",
"choices", "as_log10"}], "points": [[...]], "values": [...]}; a point holds a float/int value or a
choice's index, as Orrery's Points do. "as_log10" hands Optuna a log parameter as log10 of its value,
a plain float: Optuna's fANOVA integrates its marginals over a log parameter's range as if it were
linear (_SearchSpaceTransform(transform_log=False) in optuna/importance/_fanova/_evaluator.py), so
that is how it measures an effect per decade, as Orrery does. The study is built from finished trials (create_trial), as a sweep's
history would be, and FanovaImportanceEvaluator runs with a fixed seed.
"""
import json
import math
import sys

import optuna
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.importance import FanovaImportanceEvaluator, get_param_importances

optuna.logging.set_verbosity(optuna.logging.WARNING)

study_json = json.load(open(sys.argv[1]))
distributions = {}
for p in study_json["params"]:
    if p["kind"] == "categorical":
        distributions[p["name"]] = CategoricalDistribution(p["choices"])
    elif p.get("as_log10"):
        distributions[p["name"]] = FloatDistribution(math.log10(p["low"]), math.log10(p["high"]))
    elif p["kind"] == "int":
        distributions[p["name"]] = IntDistribution(int(p["low"]), int(p["high"]), log=p.get("log", False))
    else:
        distributions[p["name"]] = FloatDistribution(p["low"], p["high"], log=p.get("log", False))

study = optuna.create_study(direction="maximize")
for point, value in zip(study_json["points"], study_json["values"]):
    params = {}
    for p, v in zip(study_json["params"], point):
        if p["kind"] == "categorical":
            params[p["name"]] = p["choices"][int(v)]
        elif p.get("as_log10"):
            params[p["name"]] = math.log10(v)
        elif p["kind"] == "int":
            params[p["name"]] = int(v)
        else:
            params[p["name"]] = float(v)
    study.add_trial(optuna.trial.create_trial(params=params, distributions=distributions, value=value))

importances = get_param_importances(study, evaluator=FanovaImportanceEvaluator(seed=0))
print(json.dumps({k: float(v) for k, v in importances.items()}))
