"""SGD regression whose learning rate (``--eta0``) decides whether it learns or diverges;
the studio's Debugger adapter saves each epoch's loss, weights and gradients (on
SageMaker, smdebug's hook would)."""

import argparse
import time

import numpy as np
from sklearn.linear_model import SGDRegressor

from jupyter_mlstudio.debugger.sklearn import fit_with_hook

parser = argparse.ArgumentParser()
parser.add_argument("--eta0", type=float, default=3e-5)
parser.add_argument("--epochs", type=int, default=20)
parser.add_argument("--epoch-seconds", type=float, default=0.0)
args, _ = parser.parse_known_args()

rng = np.random.default_rng(0)
X = rng.normal(size=(2000, 10))
y = X @ rng.normal(size=10) + rng.normal(scale=0.1, size=2000)
model = SGDRegressor(learning_rate="constant", eta0=args.eta0, random_state=0)
for epoch in range(args.epochs):  # one epoch at a time, as a longer training would go
    fit_with_hook(model, X, y, epochs=1)
    print(f"epoch={epoch}", flush=True)
    time.sleep(args.epoch_seconds)
