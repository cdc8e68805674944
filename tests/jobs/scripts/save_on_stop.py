"""Sleeps until stopped; on SIGTERM saves what it has as the model (SageMaker's grace period)."""

import os
import signal
import sys
import time


def save_and_exit(signum, frame):
    with open(os.path.join(os.environ["SM_MODEL_DIR"], "partial.txt"), "w") as out:
        out.write("epoch 3 of 10\n")
    sys.exit(0)


signal.signal(signal.SIGTERM, save_and_exit)
print("training", flush=True)
time.sleep(120)
