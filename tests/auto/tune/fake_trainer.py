#!/usr/bin/python3
"""A stand-in for `orrery-cli train CONFIG.yaml` that speaks the trainer's side of the report channel
(core/exec/report_channel.h), for tst_sweep_runner: after each epoch it writes report-N.json, waits for
verdict-N, stops on "stop", and writes result.json at the end.

Its score is a closed form of the trial's parameters, so the test knows every value:
  final = 1 - (log10(lr) + 2.5)^2 / 10 - (0.1 if act == "tanh" else 0)
  epoch e of E reports final * e / E    (a learning curve that ends at `final`)
training.seed picks a misbehaviour (a key the trainer's config reader accepts): 2 crash (SIGSEGV),
3 hang, 4 nan, 5 fail (exit 3, "boom" on stderr); any other seed trains normally."""
import json, math, os, signal, sys, time
import yaml

config = yaml.safe_load(open(sys.argv[2]))
lr = float(config["optimizer"]["lr"])
act = config.get("model", {}).get("activation", "relu")
mode = {2: "crash", 3: "hang", 4: "nan", 5: "fail"}.get(int(config.get("training", {}).get("seed", 0)), "ok")
epochs = int(config.get("training", {}).get("epochs", 4))
final = 1 - (math.log10(lr) + 2.5) ** 2 / 10 - (0.1 if act == "tanh" else 0)
out = os.environ["ORRERY_REPORT_DIR"]

if mode == "crash":
    os.kill(os.getpid(), signal.SIGSEGV)
if mode == "fail":
    print("boom", file=sys.stderr)
    sys.exit(3)
if mode == "hang":
    time.sleep(3600)

for e in range(1, epochs + 1):
    v = float("nan") if mode == "nan" else final * e / epochs
    with open(f"{out}/report-{e:06d}.json.tmp", "w") as f:
        json.dump({"val_score": None if math.isnan(v) else v, "val_loss": 1 - v}, f)
    os.rename(f"{out}/report-{e:06d}.json.tmp", f"{out}/report-{e:06d}.json")
    verdict = None
    for _ in range(15000):
        try:
            verdict = open(f"{out}/verdict-{e:06d}").read().strip()
            break
        except FileNotFoundError:
            time.sleep(0.002)
    if verdict == "stop":
        break
result = {"run_id": "", "epochs": e, "validation": {"overall": {"score": None if mode == "nan" else final}}}
with open(f"{out}/result.json.tmp", "w") as f:
    json.dump(result, f)
os.rename(f"{out}/result.json.tmp", f"{out}/result.json")
