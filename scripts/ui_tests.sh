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
# The server's log interleaves with the failures; CI shows only the end of the output,
# so the failures are printed once more at the end without it.
log="$ROOT/build/ui-tests.log"
status=0
CI=1 jlpm playwright test "$@" 2>&1 | tee "$log" || status=$?
if [ "$status" != 0 ]; then
  echo
  echo "==> Galata failures, without the server's log:"
  grep -v '^\[WebServer\]' "$log" | awk '/^  [0-9]+\) /{show=1} /^\[[0-9]+\/[0-9]+\] /{show=0} show' |
    grep -v '^[[:space:]]*$' | tail -n 200
fi
exit "$status"
