#!/usr/bin/python3
"""Peer for bench_tune_sampler quality: Optuna's TPESampler (Debian's python3-optuna 3.1, default
settings: 10 start-up trials, 24 candidates) on Branin (100 trials) and Hartmann-6 (200 trials),
both minimised, seeds 0-4; prints the median best of the 5 seeds, multivariate and univariate
(Optuna's default), as `bench NAME VALUE value` lines.
  optuna_quality.py [SEEDS] [--fixed-logpdf]
      SEEDS: how many seeds (default 5; the median is over them); --fixed-logpdf: with the fix of
      optuna/optuna#5109 (3.1's truncated normal logpdf leaves out −ln σ, fixed upstream later)"""
import math, statistics, sys, warnings
import optuna

optuna.logging.set_verbosity(optuna.logging.WARNING)
warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)


def branin(t):
    x1, x2 = t.suggest_float("x1", -5, 10), t.suggest_float("x2", 0, 15)
    b, c, r, s, tt = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 6, 10, 1 / (8 * math.pi)
    return (x2 - b * x1 ** 2 + c * x1 - r) ** 2 + s * (1 - tt) * math.cos(x1) + s


ALPHA = [1.0, 1.2, 3.0, 3.2]
A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14], [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
P = [[0.1312, 0.1696, 0.5569, 0.0124, 0.8283, 0.5886], [0.2329, 0.4135, 0.8307, 0.3736, 0.1004, 0.9991],
     [0.2348, 0.1451, 0.3522, 0.2883, 0.3047, 0.6650], [0.4047, 0.8828, 0.8732, 0.5743, 0.1091, 0.0381]]


def hartmann6(t):
    x = [t.suggest_float(f"x{j}", 0, 1) for j in range(6)]
    return -sum(ALPHA[i] * math.exp(-sum(A[i][j] * (x[j] - P[i][j]) ** 2 for j in range(6))) for i in range(4))


args = [a for a in sys.argv[1:] if not a.startswith("--")]
seeds = int(args[0]) if args else 5
suffix = "optuna"
if "--fixed-logpdf" in sys.argv:
    import numpy as np
    from optuna.samplers._tpe import _truncnorm
    _logpdf_3_1 = _truncnorm.logpdf
    _truncnorm.logpdf = lambda x, a, b, loc=0, scale=1: _logpdf_3_1(x, a, b, loc, scale) - np.log(scale)
    suffix = "optuna_fixed"
for multivariate in (True, False):
    mode = "multivariate" if multivariate else "univariate"
    for name, objective, trials in (("branin_100", branin, 100), ("hartmann6_200", hartmann6, 200)):
        bests = []
        for seed in range(seeds):
            study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed, multivariate=multivariate))
            study.optimize(objective, n_trials=trials)
            bests.append(study.best_value)
        print(f"bench tpe_{name}_median_best_{mode}_{suffix} {statistics.median(bests):.6f} value", flush=True)
