#!/usr/bin/python3
"""Peer of bench_csv's csv_parse_numeric: the same numeric CSV parsed the way a Python tool
would, with the standard csv module, every field converted with float() and summed (what
bench_csv measures), then with pandas.read_csv when pandas is importable.
Prints `peer csv_python_csv SECONDS s` (and `peer csv_pandas SECONDS s`), plus the sum so the
two sides can be checked against each other.

usage: csv_python.py FILE"""
import csv
import sys
import time

path = sys.argv[1]

start = time.perf_counter()
total = 0.0
with open(path, newline="") as f:
    reader = csv.reader(f)
    next(reader)  # the header
    for row in reader:
        for field in row:
            total += float(field)
elapsed = time.perf_counter() - start
print(f"peer csv_python_csv {elapsed:.3f} s")
print(f"peer csv_python_csv_sum {total:.6g}", file=sys.stderr)

try:
    import pandas
except ImportError:
    print("peer csv_pandas: pandas is not installed for /usr/bin/python3 (python3-pandas); skipped", file=sys.stderr)
else:
    start = time.perf_counter()
    frame = pandas.read_csv(path)
    total = float(frame.to_numpy(dtype="float64").sum())
    print(f"peer csv_pandas {time.perf_counter() - start:.3f} s")
    print(f"peer csv_pandas_sum {total:.6g}", file=sys.stderr)
