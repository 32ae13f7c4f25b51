#!/usr/bin/python3
"""Independent oracle for ColumnStats: the same figures computed with Python's csv module and
NumPy (numpy.quantile's default 'linear' method, numpy.histogram, ddof=1 std).

usage: stats_oracle.py CSV SKIP_LINES HEADER(0|1) NULLS_JSON BINS
Prints one JSON array, one object per column. A column is numeric when every non-missing cell
is a finite decimal number (the same policy as csv_value.h)."""
import collections
import csv
import json
import math
import re
import sys

import numpy as np

path, skip, header, nulls, bins = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1", set(json.loads(sys.argv[4])), int(sys.argv[5])
NUMBER = re.compile(r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")

with open(path, newline="", encoding="utf-8-sig") as f:
    for _ in range(skip):
        f.readline()
    rows = [r for r in csv.reader(f) if r]
if header:
    names, rows = rows[0], rows[1:]
else:
    names = [f"column_{i + 1}" for i in range(len(rows[0]))]

out = []
for j, name in enumerate(names):
    cells = [r[j].strip(" \t") for r in rows]
    present = [c for c in cells if c not in nulls]
    col = {"name": name, "count": len(present), "nulls": len(cells) - len(present)}
    numeric = bool(present) and all(NUMBER.match(c) and math.isfinite(float(c)) for c in present)
    if numeric:
        a = np.array([float(c) for c in present])
        col["mean"] = float(a.mean())
        col["std"] = float(a.std(ddof=1)) if len(a) > 1 else None
        col["min"] = float(a.min())
        col["max"] = float(a.max())
        col["quantiles"] = {f"p{round(p * 100):02d}": float(np.quantile(a, p)) for p in (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)}
        counts, edges = np.histogram(a, bins=bins)
        col["histogram"] = {"counts": [int(c) for c in counts], "edges": [float(e) for e in edges]}
        col["distinct"] = len(set(a.tolist()))
    else:
        col["distinct"] = len(set(present))
    col["value_counts"] = dict(collections.Counter(present)) if len(set(present)) <= 1000 else None
    out.append(col)
print(json.dumps(out))
