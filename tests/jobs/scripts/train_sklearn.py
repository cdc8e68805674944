"""A classic SageMaker script-mode scikit-learn training script (runs unmodified)."""

import argparse
import json
import os
import sys

import joblib
import numpy as np
from sklearn.linear_model import LogisticRegression

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--C", type=float, default=1.0)
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--model-dir", type=str, default=os.environ.get("SM_MODEL_DIR"))
    parser.add_argument("--train", type=str, default=os.environ.get("SM_CHANNEL_TRAIN"))
    parser.add_argument("--output-data-dir", default=os.environ.get("SM_OUTPUT_DATA_DIR"))
    args, _ = parser.parse_known_args()

    data = np.loadtxt(os.path.join(args.train, "train.csv"), delimiter=",")
    X, y = data[:, 1:], data[:, 0]
    model = LogisticRegression(C=args.C)
    for epoch in range(args.epochs):
        model.fit(X, y)
        print(f"epoch={epoch} loss={1.0 / (epoch + 2):.4f}")
    accuracy = float((model.predict(X) == y).mean())
    print(f"val_accuracy={accuracy:.2f}")
    joblib.dump(model, os.path.join(args.model_dir, "model.joblib"))
    with open(os.path.join(args.output_data_dir, "report.json"), "w") as out:
        json.dump({"accuracy": accuracy, "hosts": json.loads(os.environ["SM_HOSTS"])}, out)
    if os.environ.get("MLSTUDIO_RUN_NAME"):
        from jupyter_mlstudio.sdk import load_run

        with load_run() as run:
            run.log_metric("from_script", 1.0)
    sys.exit(0)
