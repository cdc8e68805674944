"""Gradient descent on a linear regression that saves its loss, weights and gradients with
the Debugger hook; ``--lr`` large enough diverges (the loss grows to infinity)."""

import argparse
import time

import numpy as np

from jupyter_mlstudio.debugger import get_hook, modes

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.05)
parser.add_argument("--steps", type=int, default=30)
parser.add_argument("--step-seconds", type=float, default=0.0)
args, _ = parser.parse_known_args()

rng = np.random.default_rng(0)
x = rng.normal(size=(200, 5))
y = x @ rng.normal(size=5)
w = np.zeros(5)
hook = get_hook()
hook.set_mode(modes.TRAIN)
with np.errstate(all="ignore"):
    for step in range(args.steps):
        gradient = 2 * x.T @ (x @ w - y) / len(x)
        w = w - args.lr * gradient
        loss = float(np.mean((x @ w - y) ** 2))
        hook.save_scalar("loss", loss)
        hook.save_tensor("weights/w", w, "weights")
        hook.save_tensor("gradients/w", gradient, "gradients")
        hook.next_step()
        print(f"step={step} loss={loss}", flush=True)
        time.sleep(args.step_seconds)  # a step of a longer training
hook.close()
