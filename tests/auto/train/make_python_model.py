#!/usr/bin/python3
"""Fixture for tst_trainer: a model trained in Python PyTorch, saved as TorchScript with its
signature inside the archive, plus the predictions PyTorch itself gives for a known input.
Usage: make_python_model.py OUT.pt  -> prints JSON {"input": [...], "output": [...]}"""
import json, sys
import torch

torch.manual_seed(3)

class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(4, 8)
        self.fc2 = torch.nn.Linear(8, 3)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.softmax(self.fc2(torch.relu(self.fc1(x))), 1)

net = Net().eval()
signature = {"format": "python", "inputs": [{"name": "x", "dtype": "FP32", "shape": [-1, 4]}],
             "outputs": [{"name": "probabilities", "dtype": "FP32", "shape": [-1, 3]}]}
scripted = torch.jit.script(net)
torch.jit.save(scripted, sys.argv[1], _extra_files={"signature.json": json.dumps(signature)})
x = torch.tensor([[0.5, -1.0, 2.0, 0.0], [1.5, 0.25, -0.5, 3.0]])
with torch.no_grad():
    y = net(x)
print(json.dumps({"input": x.flatten().tolist(), "output": y.flatten().tolist()}))
