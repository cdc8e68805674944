"""ModelTrainer's entry script for the v3 SDK tests: fits scikit-learn on the ``train``
channel (CSV, label first), with the hyperparameters the SDK's driver passes as
arguments."""

import argparse
import os
import pickle
import sys

import numpy as np
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--max_iter", type=int, default=100)
parser.add_argument("--C", type=float, default=1.0)
args = parser.parse_args()
train = os.environ["SM_CHANNEL_TRAIN"]
rows = np.vstack(
    [
        np.loadtxt(os.path.join(train, name), delimiter=",", ndmin=2)
        for name in sorted(os.listdir(train))
    ]
)
model = LogisticRegression(max_iter=args.max_iter, C=args.C).fit(rows[:, 1:], rows[:, 0])
print(f"python={sys.executable} rows={len(rows)} max_iter={args.max_iter} C={args.C}", flush=True)
print(f"accuracy={model.score(rows[:, 1:], rows[:, 0]):.2f}", flush=True)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.pkl"), "wb") as out:
    pickle.dump(model, out)
