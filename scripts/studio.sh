#!/usr/bin/env bash
# The run command: set up .venv if needed, then open JupyterLab with ML Studio on the
# embedded defaults (SQLite and local files under $MLSTUDIO_HOME or ~/.mlstudio; the process
# runtime when no Docker engine answers). Extra arguments go to `jupyter lab`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -x "$ROOT/.venv/bin/jupyter-lab" ] || [ "${MLSTUDIO_REINSTALL:-0}" = 1 ] || \
   ! "$ROOT/.venv/bin/python" -c "import jupyter_mlstudio, jupyterlab" 2>/dev/null; then
  bash "$ROOT/scripts/setup.sh" dev
fi
export PATH="$ROOT/.venv/bin:$PATH"
"$ROOT/.venv/bin/mlstudio" doctor || true
ARGS=()
if [ "$(id -u)" = 0 ]; then ARGS+=(--allow-root); fi
exec jupyter lab "${ARGS[@]}" "$@"
