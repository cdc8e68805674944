"""Runs until it is stopped (the stop test's job)."""

import signal
import sys
import time

signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
print("waiting for a stop", flush=True)
while True:
    time.sleep(0.05)
