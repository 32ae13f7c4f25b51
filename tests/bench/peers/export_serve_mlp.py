#!/usr/bin/python3
"""The 20->64->1 MLP of serve_fastapi.py / serve_flask.py (same seed, same weights), exported to
TorchScript with its signature inside (_extra_files), for `orrery-cli serve` in bench.sh serving."""
import json, sys, torch
torch.set_num_threads(1); torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Linear(20, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1)).eval()
signature = {"inputs": [{"name": "input-0", "dtype": "FP32", "shape": [-1, 20]}],
             "outputs": [{"name": "output-0", "dtype": "FP32", "shape": [-1, 1]}]}
torch.jit.script(net).save(sys.argv[1], _extra_files={"signature.json": json.dumps(signature)})
