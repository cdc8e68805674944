"""Trains for ``epochs`` epochs, one checkpoint file per epoch, resuming after the last one
found in the checkpoint folder (``MLSTUDIO_CHECKPOINT_DIR``, else /opt/ml/checkpoints)."""

import argparse
import os
import time

parser = argparse.ArgumentParser()
parser.add_argument("--epochs", type=int, default=3)
parser.add_argument("--sleep", type=float, default=0.0)
args, _ = parser.parse_known_args()
folder = os.environ.get("MLSTUDIO_CHECKPOINT_DIR", "/opt/ml/checkpoints")
done = sorted(
    int(n[len("epoch-") : -len(".ckpt")]) for n in os.listdir(folder) if n.endswith(".ckpt")
)
start = done[-1] + 1 if done else 0
print(f"resuming at epoch {start}" if done else "starting from scratch", flush=True)
for epoch in range(start, args.epochs):
    partial = os.path.join(folder, f".epoch-{epoch}.tmp")
    with open(partial, "w") as out:
        out.write(f"weights after epoch {epoch}\n")
    os.replace(partial, os.path.join(folder, f"epoch-{epoch}.ckpt"))
    print(f"epoch={epoch}", flush=True)
    time.sleep(args.sleep)
print("finished", flush=True)
