"""Helpers shared by the benchmark scripts (not part of the package)."""

from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
MLFLOW_VENV = ROOT / "build" / "mlflow-venv"
MLFLOW_PYTHON = MLFLOW_VENV / "bin" / "python"
STUDIO_PYTHON = Path(sys.executable)


def ensure_mlflow() -> Path:
    """The MLflow venv's python, creating the venv with setup_mlflow.sh when missing."""
    if not MLFLOW_PYTHON.exists():
        subprocess.run(["bash", str(ROOT / "benchmarks" / "setup_mlflow.sh")], check=True)
    return MLFLOW_PYTHON


def mlflow_version() -> str:
    out = subprocess.run(
        [str(ensure_mlflow()), "-c", "import mlflow; print(mlflow.__version__)"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def run_child(python: Path, code: str, *, env: dict[str, str] | None = None) -> Any:
    """Run ``code`` in a fresh interpreter; it prints one JSON line last, returned parsed."""
    result = subprocess.run(
        [str(python), "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=3600,
    )
    if result.returncode != 0:
        raise RuntimeError(f"child failed ({result.returncode}):\n{result.stderr[-4000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def scratch_dir(prefix: str) -> Path:
    base = ROOT / "build" / "bench-tmp"
    base.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=prefix, dir=base))


def median(values: list[float]) -> float:
    return statistics.median(values)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def fmt_rate(value: float) -> str:
    return f"{value:,.0f}"
