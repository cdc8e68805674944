"""Script mode as the SKLearn estimator runs it: fits scikit-learn on the train channel
and says which Python and scikit-learn ran it."""

import argparse
import os
import pickle
import sys

import numpy as np
import sklearn
from sklearn.linear_model import LogisticRegression

parser = argparse.ArgumentParser()
parser.add_argument("--max_iter", type=int, default=100)
args = parser.parse_args()
train = os.environ["SM_CHANNEL_TRAIN"]
rows = np.vstack(
    [np.loadtxt(os.path.join(train, name), delimiter=",", ndmin=2) for name in os.listdir(train)]
)
model = LogisticRegression(max_iter=args.max_iter).fit(rows[:, 1:], rows[:, 0])
print(f"python={sys.executable} sklearn={sklearn.__version__}", flush=True)
print(f"accuracy={model.score(rows[:, 1:], rows[:, 0]):.2f}", flush=True)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "model.pkl"), "wb") as out:
    pickle.dump(model, out)
