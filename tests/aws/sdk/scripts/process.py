"""The processing script SKLearnProcessor runs: sums each column of the input CSVs and
writes ``summary.json`` to the output folder. Both folders come as arguments: the process
runtime maps ``/opt/ml/...`` paths in a job's arguments, not those written in a script."""

from __future__ import annotations

import argparse
import glob
import json
import os

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--input", required=True)
parser.add_argument("--output", required=True)
args = parser.parse_args()
rows = np.vstack([np.loadtxt(f, delimiter=",", ndmin=2) for f in glob.glob(f"{args.input}/*.csv")])
summary = {"rows": int(rows.shape[0]), "sums": [float(v) for v in rows.sum(axis=0)]}
os.makedirs(args.output, exist_ok=True)
with open(os.path.join(args.output, "summary.json"), "w") as out:
    json.dump(summary, out)
print(f"processed rows={summary['rows']}", flush=True)
