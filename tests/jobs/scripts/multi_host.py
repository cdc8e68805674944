"""A script run on every host of a multi-instance job: says who it is and who the others are.

Hyperparameters: ``fail_host`` (that host fails), ``sleep`` (seconds on each host),
``resolve`` (the other hosts look up algo-1 by name), ``port`` (algo-1 listens on its own
name and that port; the others connect to it by name and print its greeting; a child
Python of algo-2 resolves the name too).
"""

import json
import os
import socket
import subprocess
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
port = int(hps.get("port") or 0)
if port and host == hosts[0]:
    with socket.create_server((host, port)) as server:
        server.settimeout(60)
        for _ in hosts[1:]:
            conn, _peer = server.accept()
            with conn:
                conn.sendall(f"hello from {host}".encode())
elif port:
    for attempt in range(300):
        try:
            with socket.create_connection((hosts[0], port), timeout=2) as conn:
                print(f"got {conn.recv(100).decode()!r}", flush=True)
            break
        except OSError:
            if attempt == 299:
                raise
            time.sleep(0.1)
    child = [sys.executable, "-c", f"import socket; print(socket.gethostbyname({hosts[0]!r}))"]
    print(f"child resolved {hosts[0]}={subprocess.check_output(child, text=True).strip()}")
with open(os.path.join(os.environ["SM_MODEL_DIR"], "host.txt"), "w") as out:
    out.write(host)
if hps.get("fail_host") == host:
    with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as out:
        out.write(f"RuntimeError: {host} gave up")
    sys.exit(4)
if hps.get("sleep"):
    time.sleep(float(hps["sleep"]))
print(f"done {host}", flush=True)
