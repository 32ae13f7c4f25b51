#!/usr/bin/python3
"""Oracle for tst_tpe_sampler: Optuna 3.1's own _ParzenEstimator (Debian's python3-optuna) on the
cases a JSON file lists; prints one JSON list per case: log_pdf of the case's points.

A case: {"params": [{"kind": "float"|"int"|"categorical", "low", "high", "log", "step", "choices"}],
         "multivariate": bool, "observations": [[v, ...], ...], "points": [[v, ...], ...]}
Values are a Point's: numbers as they are, a categorical as the choice's index.
A case {"gauss": [[a, b, u], ...]} asks Optuna's truncated normal instead: per row
[log_gauss_mass(a, b), ppf(u, a, b)] (_truncnorm.py).

Optuna 3.1's _truncnorm.logpdf leaves out −ln(scale), so its continuous kernels are not densities
(optuna/optuna#5109, fixed upstream by #5110 in later releases); the oracle applies that fix, as
Orrery's estimator does.
Tied observations share their neighbours' gaps out in the order np.argsort puts them, which past
16 elements (introsort) is not their age; the oracle sorts stably, as Orrery does, so that a
tie between an old (light) and a new (heavy) observation has one answer."""
import json, sys
import numpy as np
from optuna.distributions import CategoricalDistribution, FloatDistribution, IntDistribution
from optuna.samplers._tpe.parzen_estimator import _ParzenEstimator, _ParzenEstimatorParameters
from optuna.samplers._tpe import _truncnorm
from optuna.samplers._tpe.sampler import default_weights

_argsort = np.argsort
np.argsort = lambda a, *args, **kwargs: _argsort(a, kind="stable") if not args and not kwargs else _argsort(a, *args, **kwargs)
_logpdf_3_1 = _truncnorm.logpdf
_truncnorm.logpdf = lambda x, a, b, loc=0, scale=1: _logpdf_3_1(x, a, b, loc, scale) - np.log(scale)


def distribution(p):
    if p["kind"] == "categorical":
        return CategoricalDistribution(list(range(p["choices"])))
    step = p.get("step") or None
    if p["kind"] == "int":
        return IntDistribution(int(p["low"]), int(p["high"]), log=p.get("log", False), step=int(step or 1))
    return FloatDistribution(p["low"], p["high"], log=p.get("log", False), step=step)


out = []
for case in json.load(open(sys.argv[1])):
    if "gauss" in case:
        rows = np.asarray(case["gauss"], dtype=float).reshape(-1, 3)
        mass = _truncnorm._log_gauss_mass(rows[:, 0], rows[:, 1])
        ppf = _truncnorm.ppf(rows[:, 2], rows[:, 0], rows[:, 1])
        out.append([float(v) for pair in zip(mass, ppf) for v in pair])
        continue
    names = [f"p{i}" for i in range(len(case["params"]))]
    space = {n: distribution(p) for n, p in zip(names, case["params"])}
    obs = np.asarray(case["observations"], dtype=float).reshape(-1, len(names))
    params = _ParzenEstimatorParameters(True, 1.0, True, False, default_weights, case["multivariate"])
    pe = _ParzenEstimator({n: obs[:, i] for i, n in enumerate(names)}, space, params)
    pts = np.asarray(case["points"], dtype=float).reshape(-1, len(names))
    samples = {}
    for i, n in enumerate(names):
        col = pts[:, i]
        samples[n] = col.astype(int) if case["params"][i]["kind"] == "categorical" else col
    out.append([float(v) for v in pe.log_pdf(samples)])
print(json.dumps(out))
