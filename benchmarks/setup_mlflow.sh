#!/usr/bin/env bash
# Create build/mlflow-venv with MLflow 3.x, apart from the project's own venv, so the
# benchmarks can drive MLflow in subprocesses without touching the project's dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/build/mlflow-venv"
if [ -x "$venv/bin/mlflow" ] && "$venv/bin/python" -c 'import mlflow, sys; sys.exit(0 if mlflow.__version__.startswith("3.") else 1)'; then
    echo "$venv is ready"
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "mlflow>=3,<4"
"$venv/bin/python" -c 'import mlflow; print("mlflow", mlflow.__version__, "in", "'"$venv"'")'
