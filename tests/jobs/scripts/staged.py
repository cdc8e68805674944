"""Reads its train channel, resumes after the last checkpoint it finds, and leaves a model
file saying what it read, how far it got and where it ran (a job whose files travel to a
Ray node that does not share the studio's disk)."""

import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=2)
args, _ = parser.parse_known_args()
train = os.environ["SM_CHANNEL_TRAIN"]
model = os.environ["SM_MODEL_DIR"]
checkpoints = os.environ.get("MLSTUDIO_CHECKPOINT_DIR", "/opt/ml/checkpoints")
os.makedirs(checkpoints, exist_ok=True)
done = sorted(
    int(n[len("epoch-") : -len(".ckpt")]) for n in os.listdir(checkpoints) if n.endswith(".ckpt")
)
start = done[-1] + 1 if done else 0
print(f"resuming at epoch {start}" if done else "starting from scratch", flush=True)
for epoch in range(start, args.epochs):
    with open(os.path.join(checkpoints, f"epoch-{epoch}.ckpt"), "w") as out:
        out.write(f"weights after epoch {epoch}\n")
rows = 0
for name in os.listdir(train):
    with open(os.path.join(train, name)) as lines:
        rows += sum(1 for _ in lines)
with open(os.path.join(model, "model.json"), "w") as out:
    json.dump(
        {"files": sorted(os.listdir(train)), "rows": rows, "start": start, "ran_in": model}, out
    )
print(f"ran in {model}", flush=True)
