#!/usr/bin/env bash
# The test command: installs everything a fresh machine lacks, then runs every check:
# ruff, mypy, the auth check, pytest (SQLite + PostgreSQL + SeaweedFS S3 + a real Docker
# engine), eslint/prettier/stylelint, the API-types check, jest, a wheel install check, and
# the Galata UI tests in Debian's Chromium.
# With CI set, tests that need PostgreSQL, SeaweedFS, Docker or Chromium fail instead of
# skipping.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
export CI="${CI:-1}"
step() { printf '\n==> %s\n' "$*"; }

# --- system packages (Debian): Chromium for Galata, PostgreSQL for the store tests -----
need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium chromium-driver)
compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
if [ ${#need[@]} -gt 0 ]; then
  step "installing Debian packages: ${need[*]}"
  if [ "$(id -u)" != 0 ]; then
    echo "need root to apt-get install ${need[*]}; install them and run again" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- Python and JavaScript packages ----------------------------------------------------
step "setting up .venv"
bash scripts/setup.sh test
export PATH="$ROOT/.venv/bin:$PATH"

step "extension enabled after install"
jupyter server extension list 2>&1 | grep -iE "jupyter_mlstudio.*OK"
jupyter labextension list 2>&1 | grep -iE "jupyter-mlstudio.*enabled.*OK"

# --- static checks -----------------------------------------------------------------------
step "ruff"
ruff check .
ruff format --check .
step "mypy"
mypy
step "every handler authenticated"
python scripts/check_auth.py
step "eslint, prettier, stylelint"
jlpm lint:check
step "TypeScript API types match the OpenAPI document"
jlpm api:types:check

# --- a real Docker engine and the script-mode image, for the docker runtime tests --------
step "Docker engine and the script-mode image"
DOCKERD_PIDFILE="${MLSTUDIO_DOCKER_ROOT:-$ROOT/build/docker}/dockerd.pid"
before_pid="$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)"
DOCKER_HOST="$(bash scripts/docker_engine.sh)"
export DOCKER_HOST
started_pid="$(cat "$DOCKERD_PIDFILE" 2>/dev/null || true)"
if [ -n "$started_pid" ] && [ "$started_pid" != "$before_pid" ]; then
  # we started this engine: stop it when the tests end
  trap 'kill -TERM "$started_pid" 2>/dev/null || true' EXIT
fi
mlstudio images build

# --- tests -------------------------------------------------------------------------------
step "jest"
jlpm test
step "pytest"
pytest -q -p no:cacheprovider

step "wheel: installs with the extension enabled and no manual step"
bash scripts/check_wheel.sh

step "Galata UI tests (Debian Chromium)"
bash scripts/ui_tests.sh
echo
echo "all checks passed"
