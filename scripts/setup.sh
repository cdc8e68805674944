#!/usr/bin/env bash
# Set up (or refresh) the project's virtual environment in .venv: Python packages,
# JavaScript packages and the built JupyterLab extension. Sourced by studio.sh and test.sh.
# Usage: scripts/setup.sh [extra]   where extra is a pip extra such as "test" (default: dev)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
EXTRA="${1:-dev}"
PYTHON="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  echo "==> creating .venv"
  "$PYTHON" -m venv .venv
fi
export PATH="$ROOT/.venv/bin:$PATH"
export PIP_DISABLE_PIP_VERSION_CHECK=1

echo "==> installing the build tools (jupyter-builder brings jlpm)"
pip install -q "pip>=24" "jupyter-builder>=1.3,<2" "hatchling>=1.5" "hatch-jupyter-builder>=0.10" \
  "hatch-nodejs-version>=0.4" editables 2>&1 | grep -v "^WARNING: Location" || true

echo "==> installing JavaScript packages (jlpm install --immutable)"
jlpm install --immutable >/tmp/mlstudio-jlpm-install.log 2>&1 || {
  tail -40 /tmp/mlstudio-jlpm-install.log
  exit 1
}

echo "==> installing jupyter_mlstudio[$EXTRA] in editable mode (builds the labextension)"
pip install -q -e ".[$EXTRA]" 2>&1 | grep -v "^WARNING: Location" || true
python -c "import jupyter_mlstudio" || { echo "install failed"; exit 1; }
# An editable install copies the labextension once; link it instead so rebuilds show up.
jupyter labextension develop --overwrite . >/dev/null 2>&1

# The SageMaker Python SDKs for the compatibility tests (tests/aws/sdk): each in a venv of
# its own, since the studio never imports them and sagemaker<3 pins packages (packaging,
# protobuf) that JupyterLab's would clash with.
if [ "$EXTRA" = "test" ]; then
  for spec in "sagemaker2:sagemaker>=2.250,<3" "sagemaker3:sagemaker>=3.20,<4"; do
    name="${spec%%:*}"
    requirement="${spec#*:}"
    venv=".venv-$name"
    if [ ! -x "$venv/bin/python" ] || ! "$venv/bin/python" -c "import sagemaker, sklearn, ipykernel" 2>/dev/null; then
      echo "==> installing $requirement into $venv (the SDK compatibility tests)"
      "$PYTHON" -m venv "$venv"
      "$venv/bin/pip" install -q "$requirement" ipykernel scikit-learn 2>&1 | grep -v "^WARNING: Location" || true
      "$venv/bin/python" -c "import sagemaker" || { echo "$venv: install failed"; exit 1; }
    fi
  done
fi
