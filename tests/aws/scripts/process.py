"""A tiny processing script: copies its input's lines, upper-cased, to its output."""

import os
import sys

source, target = sys.argv[1], sys.argv[2]
with open(os.path.join(target, "upper.txt"), "w") as out:
    for name in sorted(os.listdir(source)):
        with open(os.path.join(source, name)) as data:
            out.write(data.read().upper())
print("processed", flush=True)
