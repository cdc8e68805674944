import os

with open(os.path.join(os.environ["SM_OUTPUT_DIR"], "failure"), "w") as out:
    out.write("ValueError: the data is bad")
raise SystemExit(3)
