#!/usr/bin/env bash
# Create build/flaml-venv with FLAML 2.x (its AutoML extra: scikit-learn, LightGBM, XGBoost,
# pandas), apart from the project's own venv, so bench_autopilot.py can run FLAML in a
# subprocess without touching the project's dependencies.
set -euo pipefail
here="$(cd "$(dirname "$0")/.." && pwd)"
venv="$here/build/flaml-venv"
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import flaml, lightgbm, xgboost, sklearn, sys; sys.exit(0 if flaml.__version__.startswith("2.") else 1)' 2>/dev/null; then
    echo "$venv is ready"
    exit 0
fi
python3 -m venv "$venv"
"$venv/bin/pip" install --quiet --upgrade pip
"$venv/bin/pip" install --quiet "flaml[automl]>=2,<3"
"$venv/bin/python" -c 'import flaml, sklearn; print("flaml", flaml.__version__, "scikit-learn", sklearn.__version__, "in", "'"$venv"'")'
