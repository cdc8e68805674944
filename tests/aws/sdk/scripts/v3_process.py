"""Processing code for the v3 SDK tests: sums each CSV row of its input folder into
``sums.csv`` of its output folder and says how many rows it read."""

import os
import sys

source, target = sys.argv[1], sys.argv[2]
os.makedirs(target, exist_ok=True)
count = 0
with open(os.path.join(target, "sums.csv"), "w") as out:
    for name in sorted(os.listdir(source)):
        with open(os.path.join(source, name)) as data:
            for line in data:
                if line.strip():
                    out.write(f"{sum(float(v) for v in line.split(','))}\n")
                    count += 1
print(f"processed rows={count}", flush=True)
