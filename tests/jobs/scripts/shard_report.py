"""A processing script run on every instance: lists what it got, writes one file per host.

``--config`` is /opt/ml/config (as SageMaker has it); ``--shards`` and ``--full`` the
input folders, ``--output=<folder>`` where the host writes ``<host>.txt``.
"""

import argparse
import json
import os
import sys

parser = argparse.ArgumentParser()
parser.add_argument("--config", default="/opt/ml/config")
parser.add_argument("--shards")
parser.add_argument("--full")
parser.add_argument("--output")
args = parser.parse_args()
with open(os.path.join(args.config, "resourceconfig.json")) as f:
    host = json.load(f)["current_host"]
with open(os.path.join(args.config, "processingjobconfig.json")) as f:
    config_text = f.read()


def files(folder):
    return sorted(
        os.path.relpath(os.path.join(root, name), folder)
        for root, _, names in os.walk(folder)
        for name in names
    )


seen = [*sys.argv, os.getcwd(), config_text, *(os.environ.get(k, "") for k in ("DATA", "OUT"))]
report = {
    "host": host,
    "shards": files(args.shards),
    "full": files(args.full),
    "opt_ml_seen": any("/opt/ml" in text for text in seen),
    "data_env": os.environ.get("DATA"),
    "config_paths_exist": all(
        os.path.isdir(item["S3Input"]["LocalPath"])
        for item in json.loads(config_text)["ProcessingInputs"]
    ),
}
print("REPORT " + json.dumps(report), flush=True)
with open(os.path.join(args.output, f"{host}.txt"), "w") as out:
    out.write(json.dumps(report))
