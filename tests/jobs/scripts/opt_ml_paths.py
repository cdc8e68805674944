"""Hyperparameters that name /opt/ml paths (as SageMaker examples pass --data-dir): the
script reads and writes through them, and they match hyperparameters.json."""

import argparse
import json
import os

parser = argparse.ArgumentParser()
parser.add_argument("--data-dir")
parser.add_argument("--model-file")
parser.add_argument("--note")
args = parser.parse_args()

files = sorted(os.listdir(args.data_dir))
with open(args.model_file, "w") as f:
    f.write(",".join(files))
config = os.path.join(os.environ["SM_INPUT_CONFIG_DIR"], "hyperparameters.json")
with open(config) as f:
    written = json.load(f)
assert written["data-dir"] == args.data_dir, (written, args.data_dir)
assert json.loads(os.environ["SM_HPS"])["model-file"] == args.model_file
print(f"data={args.data_dir} model={args.model_file} note={args.note}", flush=True)
