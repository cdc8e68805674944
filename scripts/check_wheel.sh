#!/usr/bin/env bash
# Build the wheel, install it into a fresh virtual environment and check that the server
# extension and the prebuilt labextension are enabled with no manual step.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/build/wheel-check"
rm -rf "$OUT" && mkdir -p "$OUT"
"$ROOT/.venv/bin/pip" wheel -q --no-deps -w "$OUT/dist" . 2>&1 | grep -v "^WARNING: Location" || true
WHEEL=$(ls "$OUT"/dist/jupyter_mlstudio-*.whl)
python3 -m venv "$OUT/venv"
"$OUT/venv/bin/pip" install -q "$WHEEL" "jupyterlab>=4.6,<5" 2>&1 | grep -v "^WARNING: Location" || true
export PATH="$OUT/venv/bin:$PATH"
jupyter server extension list 2>&1 | tee "$OUT/server.txt" | grep -iE "jupyter_mlstudio.*OK"
jupyter labextension list 2>&1 | tee "$OUT/lab.txt" | grep -iE "jupyter-mlstudio.*enabled.*OK"
MLSTUDIO_HOME="$OUT/home" mlstudio --version
MLSTUDIO_HOME="$OUT/home" mlstudio doctor
echo "wheel $(basename "$WHEEL"): extension enabled on install"
