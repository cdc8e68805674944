#!/usr/bin/env bash
# Make sure a Docker engine answers, starting dockerd when none does; print on stdout the
# DOCKER_HOST to use (everything else goes to stderr):
#
#   export DOCKER_HOST="$(bash scripts/docker_engine.sh)"
#
# Tries $DOCKER_HOST, the default socket and the socket a test run may have left; otherwise
# installs what is missing (Debian: docker.io iptables debootstrap ca-certificates; needs
# root) and starts `dockerd --data-root $MLSTUDIO_DOCKER_ROOT/data-root` (default
# build/docker, so images survive between runs) in the background with stdin from
# /dev/null. Its pid is in $MLSTUDIO_DOCKER_ROOT/dockerd.pid (stop it with SIGTERM), its log
# in dockerd.log. There is no systemd here, and nothing is pulled from an image registry.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DATA="${MLSTUDIO_DOCKER_ROOT:-$ROOT/build/docker}"
SOCKET="${MLSTUDIO_DOCKER_SOCKET:-unix:///var/run/docker.sock}"
log() { echo "docker_engine: $*" >&2; }

answers() {  # answers unix:///path/to.sock
  local path="${1#unix://}"
  [ -S "$path" ] || return 1
  curl -fsS --max-time 5 --unix-socket "$path" http://localhost/_ping >/dev/null 2>&1
}

for candidate in ${DOCKER_HOST:-} "unix:///var/run/docker.sock" "unix://$DATA/docker.sock"; do
  case "$candidate" in unix://*) ;; *) continue ;; esac
  if answers "$candidate"; then
    log "an engine answers at $candidate"
    echo "$candidate"
    exit 0
  fi
done

need=()
command -v dockerd >/dev/null 2>&1 || [ -x /usr/sbin/dockerd ] || need+=(docker.io)
command -v iptables >/dev/null 2>&1 || [ -x /usr/sbin/iptables ] || need+=(iptables)
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need+=(debootstrap)
[ -f /etc/ssl/certs/ca-certificates.crt ] || need+=(ca-certificates)
command -v curl >/dev/null 2>&1 || need+=(curl)
if [ "$(id -u)" != 0 ]; then
  log "no Docker engine answers and starting dockerd needs root; start one and set DOCKER_HOST"
  exit 1
fi
if [ ${#need[@]} -gt 0 ]; then
  log "installing Debian packages: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq --no-install-recommends "${need[@]}" >&2
fi

if ! pgrep -x dockerd >/dev/null 2>&1; then
  # A dockerd killed without a chance to stop (a machine's session ending) leaves its
  # containers' network namespaces mounted, still holding their addresses on docker0. A new
  # engine - above all one with another data root - hands out the same addresses again, and
  # its containers' published ports then reach the old namespaces ("connection refused").
  stale=(/var/run/docker/netns/*)
  if [ -e "${stale[0]}" ]; then
    log "removing ${#stale[@]} network namespace(s) left by an engine that is gone"
    for ns in "${stale[@]}"; do
      umount "$ns" 2>/dev/null || true
      rm -f "$ns"
    done
  fi
  PATH="$PATH:/usr/sbin:/sbin" ip link delete docker0 2>/dev/null || true
fi

mkdir -p "$DATA"
path="${SOCKET#unix://}"
rm -f "$path"
log "starting dockerd (data root $DATA/data-root, socket $SOCKET, log $DATA/dockerd.log)"
PATH="$PATH:/usr/sbin:/sbin" setsid dockerd \
  --data-root "$DATA/data-root" \
  --host "$SOCKET" \
  --pidfile "$DATA/dockerd.pid" \
  </dev/null >>"$DATA/dockerd.log" 2>&1 &
for _ in $(seq 1 300); do
  if answers "$SOCKET"; then
    log "dockerd answers (pid $(cat "$DATA/dockerd.pid" 2>/dev/null || echo '?'))"
    echo "$SOCKET"
    exit 0
  fi
  sleep 0.2
done
log "dockerd did not answer within 60 s; the end of its log:"
tail -n 20 "$DATA/dockerd.log" >&2
exit 1
