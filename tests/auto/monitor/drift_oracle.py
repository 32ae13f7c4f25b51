#!/usr/bin/python3
"""SciPy's answers for tst_drift_statistics: reads cases written by the test, prints one JSON object.

Input: blocks of three lines — "KIND NAME", then the numbers of the first and the second argument
(space-separated, %.17g, so they parse back to the same doubles). Output: {NAME: [values...]}.
"""
import json, sys
import numpy as np
from scipy import stats, special
from scipy.spatial import distance

def nums(line):
    return np.array([float(t) for t in line.split()], dtype=np.float64)

out = {}
lines = open(sys.argv[1]).read().split("\n")
for i in range(0, len(lines) - 2, 3):
    kind, name = lines[i].split()
    a, b = nums(lines[i + 1]), nums(lines[i + 2])
    if kind == "ks":
        r = stats.ks_2samp(a, b)
        out[name] = [float(r.statistic), float(r.pvalue)]
    elif kind == "wasserstein":
        out[name] = [float(stats.wasserstein_distance(a, b))]
    elif kind == "chisquare":
        r = stats.chisquare(a, b)
        out[name] = [float(r.statistic), float(r.pvalue)]
    elif kind == "homogeneity":
        r = stats.chi2_contingency(np.array([a, b]), correction=False)
        out[name] = [float(r[0]), float(r[1])]
    elif kind == "jensenshannon":
        out[name] = [float(distance.jensenshannon(a, b))]
    elif kind == "hellinger":
        p, q = a / a.sum(), b / b.sum()
        out[name] = [float(np.sqrt(0.5 * np.sum((np.sqrt(p) - np.sqrt(q)) ** 2)))]
    elif kind == "psi":
        p, q = np.clip(a / a.sum(), 1e-6, None), np.clip(b / b.sum(), 1e-6, None)
        out[name] = [float(np.sum((q - p) * np.log(q / p)))]
    elif kind == "kstwo":
        out[name] = [float(stats.kstwo.sf(b[0], int(a[0])))]
    elif kind == "smirnov":
        out[name] = [float(special.smirnov(int(a[0]), b[0]))]
    elif kind == "chi2sf":
        out[name] = [float(stats.chi2.sf(b[0], a[0]))]
    elif kind == "quantile":
        out[name] = [float(v) for v in np.quantile(a, b)]
    elif kind == "bins":  # psi's binning of the peer: reference deciles, outer edges open
        edges = np.quantile(a, np.linspace(0, 1, 11)); edges[0], edges[-1] = -np.inf, np.inf
        out[name] = [float(v) for v in np.histogram(b, edges)[0]]
    elif kind == "std":
        out[name] = [float(np.std(a))]
    else:
        raise SystemExit("unknown kind " + kind)
print(json.dumps(out))
