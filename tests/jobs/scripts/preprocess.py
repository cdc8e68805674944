"""A SageMaker processing script: reads --input, writes a cleaned copy to --output."""

import argparse
import os

parser = argparse.ArgumentParser()
parser.add_argument("--input", default="/opt/ml/processing/input/data")
parser.add_argument("--output", default="/opt/ml/processing/output/clean")
args = parser.parse_args()
rows = 0
with open(os.path.join(args.output, "clean.csv"), "w") as out:
    for name in sorted(os.listdir(args.input)):
        with open(os.path.join(args.input, name)) as source:
            for line in source:
                out.write(line.strip() + "\n")
                rows += 1
print(f"rows={rows}")
