"""A script run on every host of a multi-instance job: says who it is and who the others are.

Hyperparameters: ``fail_host`` (that host fails), ``sleep`` (seconds on each host),
``resolve`` (the other hosts look up algo-1 by name).
"""

import json
import os
import socket
import sys
import time

hps = json.loads(os.environ["SM_HPS"])
host = os.environ["SM_CURRENT_HOST"]
hosts = json.loads(os.environ["SM_HOSTS"])
with open(os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "resourceconfig.json")) as f:
    resources = json.load(f)
print(
    f"host={host} hosts={','.join(hosts)} config_host={resources['current_host']}"
    f" config_hosts={','.join(resources['hosts'])}",
    flush=True,
)
data = os.environ.get("SM_CHANNEL_TRAIN")
if data:
    print(f"files={','.join(sorted(os.listdir(data)))}", flush=True)
if hps.get("resolve") and host != hosts[0]:
    address = None
    for _ in range(100):
        try:
            address = socket.gethostbyname(hosts[0])
            break
        except OSError:
            time.sleep(0.1)
    print(f"resolved {hosts[0]}={address}", flush=True)
    if address is None:
        sys.exit(5)
with open(os.path.join(os.environ["SM_MODEL_DIR"], "host.txt"), "w") as out:
    out.write(host)
if hps.get("fail_host") == host:
    with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as out:
        out.write(f"RuntimeError: {host} gave up")
    sys.exit(4)
if hps.get("sleep"):
    time.sleep(float(hps["sleep"]))
print(f"done {host}", flush=True)
