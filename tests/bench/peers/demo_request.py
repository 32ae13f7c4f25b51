"""One Open Inference Protocol request for the demo's fraud model: the first row of WORKSPACE's
held-out data, shaped by the registered version's signature. Writes it to OUT.

    demo_request.py ORRERY_CLI WORKSPACE OUT
"""
import csv, json, subprocess, sys

cli, ws, out = sys.argv[1:4]
shown = json.loads(subprocess.run([cli, "models", "show", "fraud", "--version", "1", "--json"], cwd=ws,
                                  check=True, capture_output=True, text=True).stdout)
row = next(csv.DictReader(open(f"{ws}/work/test.csv")))
inputs = []
for spec in shown["signature"]["inputs"]:
    text = spec["dtype"] == "BYTES"
    data = [row[c] if text else (float(row[c]) if row[c] else None) for c in spec["columns"]]
    inputs.append({"name": spec["name"], "datatype": "BYTES" if text else "FP32", "shape": [1, len(data)], "data": data})
json.dump({"inputs": inputs}, open(out, "w"))
