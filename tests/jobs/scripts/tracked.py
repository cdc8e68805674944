"""Logs to the job's run through the job tracking channel (works on every runtime)."""

import os
import time

from mlstudio_job import load_run

epochs = int(os.environ.get("EPOCHS", "3"))
with load_run() as run:
    run.log_parameters({"optimizer": "sgd", "layers": 2})
    for epoch in range(epochs):
        run.log_metric(name="loss", value=1.0 / (epoch + 1), step=epoch)
        run.log_metric("accuracy", 0.5 + epoch / 10, step=epoch)
        time.sleep(float(os.environ.get("SLEEP", "0")))
print(f"logged {epochs} epochs", flush=True)
