#!/usr/bin/python3
"""Oracle for tst_evaluation: scikit-learn's statistics on a CSV the test wrote.
Usage: metrics_oracle.py classification FILE   (columns: y, p0, p1, ...)
       metrics_oracle.py regression FILE       (columns: y, yhat)
Prints one JSON object."""
import json, sys
import numpy as np
from sklearn import metrics
from sklearn.preprocessing import label_binarize

kind, path = sys.argv[1], sys.argv[2]
data = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
y = data[:, 0]
out = {}
if kind == "classification":
    P = data[:, 1:]
    k = P.shape[1]
    y = y.astype(int)
    if k == 2:
        p1 = P[:, 1]
        pred = (p1 > 0.5).astype(int)
        out["precision"] = metrics.precision_score(y, pred, zero_division=0)
        out["recall"] = metrics.recall_score(y, pred, zero_division=0)
        out["f1"] = metrics.f1_score(y, pred, zero_division=0)
        out["roc_auc"] = metrics.roc_auc_score(y, p1)
        out["pr_auc"] = metrics.average_precision_score(y, p1)
        out["log_loss"] = metrics.log_loss(y, p1)
        conf, hit = p1, (y == 1).astype(float)
    else:
        pred = P.argmax(axis=1)
        out["precision"] = metrics.precision_score(y, pred, average="macro", zero_division=0)
        out["recall"] = metrics.recall_score(y, pred, average="macro", zero_division=0)
        out["f1"] = metrics.f1_score(y, pred, average="macro", zero_division=0)
        out["roc_auc"] = metrics.roc_auc_score(y, P, multi_class="ovr", average="macro")
        out["pr_auc"] = metrics.average_precision_score(label_binarize(y, classes=list(range(k))), P, average="macro")
        out["log_loss"] = metrics.log_loss(y, P, labels=list(range(k)))
        conf, hit = P[np.arange(len(y)), pred], (pred == y).astype(float)
    out["accuracy"] = metrics.accuracy_score(y, pred)
    # Expected calibration error, 10 equal-width bins (sklearn has no ECE; the bins are
    # calibration_curve's uniform strategy, weighted by their counts).
    bins = np.clip((conf * 10).astype(int), 0, 9)
    ece = 0.0
    for b in range(10):
        m = bins == b
        if m.any():
            ece += m.mean() * abs(hit[m].mean() - conf[m].mean())
    out["calibration_error"] = ece
else:
    yhat = data[:, 1]
    out["mae"] = metrics.mean_absolute_error(y, yhat)
    out["rmse"] = float(np.sqrt(metrics.mean_squared_error(y, yhat)))
    out["mape"] = metrics.mean_absolute_percentage_error(y, yhat)
    out["r2"] = metrics.r2_score(y, yhat)
print(json.dumps({k: float(v) for k, v in out.items()}))
