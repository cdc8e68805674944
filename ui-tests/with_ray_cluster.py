"""Run Galata specs against a test server whose jobs run on a real 2-node Ray cluster.

    python ui-tests/with_ray_cluster.py tests/rayJobs.spec.ts

Starts a local cluster of two nodes (``tests/support/ray_cluster.py``: ``ray start`` from
the studio's Python, its processes killed by their own ids on exit, never ``ray stop``),
then ``scripts/ui_tests.sh`` with the arguments given, with ``MLSTUDIO_RUNTIME=ray`` and
``MLSTUDIO_RAY_ADDRESS`` set for the test server, on ``MLSTUDIO_UI_PORT`` (default 8898,
so that it does not take the port of a run of the other specs).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.ray_cluster import ray_cluster  # noqa: E402


def main(args: list[str]) -> int:
    """Run ``scripts/ui_tests.sh args`` with a Ray cluster; answer its exit code."""
    with ray_cluster() as cluster:
        env = {
            **os.environ,
            "MLSTUDIO_RUNTIME": "ray",
            "MLSTUDIO_RAY_ADDRESS": cluster.address,
            "MLSTUDIO_UI_PORT": os.environ.get("MLSTUDIO_UI_PORT", "8898"),
        }
        return subprocess.call(["bash", str(ROOT / "scripts" / "ui_tests.sh"), *args], env=env)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
