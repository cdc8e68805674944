#!/usr/bin/env bash
# Galata UI tests in Debian's Chromium. Screenshots land in ui-tests/screenshots/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$ROOT/.venv/bin:$PATH"
export CHROMIUM_PATH="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$CHROMIUM_PATH" ] || { echo "Chromium not found at $CHROMIUM_PATH (apt-get install chromium)" >&2; exit 1; }
mkdir -p "$ROOT/build/galata-tmp"
export TMPDIR="$ROOT/build/galata-tmp"
export JUPYTERLAB_GALATA_ROOT_DIR="$ROOT/build/galata-tmp"
cd "$ROOT/ui-tests"
jlpm install --immutable >"$ROOT/build/ui-tests-install.log" 2>&1 || {
  tail -40 "$ROOT/build/ui-tests-install.log"
  exit 1
}
CI=1 jlpm playwright test "$@"
