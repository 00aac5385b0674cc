#!/usr/bin/env bash
# Starts or stops the real components the container and OCI tests need, on this machine only:
#   - a Docker engine (Debian's docker.io): vfs storage, no bridge, no iptables, so host networking only;
#   - a registry (Debian's docker-registry) serving HTTPS on 127.0.0.1 with a self-signed certificate.
# Installs the two packages when missing (root, apt). Leaves alone an engine that was already running.
#
#   eval "$(scripts/test-services.sh start)"   # prints the environment the tests read (PC_TEST_*)
#   scripts/test-services.sh stop              # stops only what `start` started
set -euo pipefail

STATE=${PC_SERVICES_DIR:-/tmp/plugin-conformance-services}
# The engine's images outlive the services so the test image is built once per machine (its tag is a content hash).
DATA_ROOT=${PC_DOCKER_DATA_ROOT:-/var/lib/plugin-conformance/docker}
SOCKET=/var/run/docker.sock
WAIT_SECONDS=30

note() { printf '%s\n' "$*" >&2; }

wait_for() { # description, command...
  local what=$1; shift
  for _ in $(seq 1 $((WAIT_SECONDS * 5))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.2; done
  note "test-services: $what did not come up within ${WAIT_SECONDS}s"; return 1
}

engine_answers() { curl -sf --unix-socket "$SOCKET" http://localhost/_ping >/dev/null; }

install_packages() {
  local missing=()
  command -v dockerd >/dev/null || missing+=(docker.io)
  command -v docker-registry >/dev/null || missing+=(docker-registry)
  command -v openssl >/dev/null || missing+=(openssl)
  command -v curl >/dev/null || missing+=(curl)
  [ ${#missing[@]} -eq 0 ] && return 0
  note "test-services: installing ${missing[*]}"
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
}

start_engine() {
  if engine_answers; then note "test-services: using the Docker engine already running at $SOCKET"; return 0; fi
  mkdir -p "$DATA_ROOT" "$STATE/exec"
  note "test-services: starting dockerd (log: $STATE/dockerd.log)"
  # containerd, runc and docker-init come with docker.io; dockerd starts its own containerd.
  nohup dockerd --storage-driver=vfs --iptables=false --ip6tables=false --bridge=none \
    --data-root="$DATA_ROOT" --exec-root="$STATE/exec" --pidfile="$STATE/dockerd.pid" \
    -H "unix://$SOCKET" >"$STATE/dockerd.log" 2>&1 &
  echo $! >"$STATE/dockerd.started"
  wait_for dockerd engine_answers || { tail -20 "$STATE/dockerd.log" >&2; return 1; }
}

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }

start_registry() {
  stop_pid_file "$STATE/registry.pid" # a registry left by an earlier start
  local port; port=$(free_port)
  mkdir -p "$STATE/registry-data"
  openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=localhost \
    -addext 'subjectAltName=IP:127.0.0.1,DNS:localhost' \
    -keyout "$STATE/registry.key" -out "$STATE/registry.crt" 2>/dev/null
  cat >"$STATE/registry.yml" <<EOF
version: 0.1
log: { level: warn }
storage:
  filesystem: { rootdirectory: $STATE/registry-data }
  delete: { enabled: true }
http:
  addr: 127.0.0.1:$port
  tls: { certificate: $STATE/registry.crt, key: $STATE/registry.key }
EOF
  note "test-services: starting docker-registry on https://127.0.0.1:$port (log: $STATE/registry.log)"
  nohup docker-registry serve "$STATE/registry.yml" >"$STATE/registry.log" 2>&1 &
  echo $! >"$STATE/registry.pid"
  wait_for docker-registry curl -sf --cacert "$STATE/registry.crt" "https://127.0.0.1:$port/v2/" || { tail -20 "$STATE/registry.log" >&2; return 1; }
  echo "$port" >"$STATE/registry.port"
}

stop_pid_file() { # file
  [ -f "$1" ] || return 0
  local pid; pid=$(cat "$1")
  if kill "$pid" 2>/dev/null; then
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$pid" 2>/dev/null || true
  fi
  rm -f "$1"
}

case "${1:-}" in
  start)
    mkdir -p "$STATE"
    install_packages
    start_engine
    start_registry
    echo "export PC_TEST_DOCKER=1"
    echo "export PC_TEST_REGISTRY=127.0.0.1:$(cat "$STATE/registry.port")"
    echo "export PC_TEST_REGISTRY_CA=$STATE/registry.crt"
    ;;
  stop)
    stop_pid_file "$STATE/registry.pid"
    stop_pid_file "$STATE/dockerd.started"
    ;;
  *)
    note "usage: $0 start|stop"; exit 2 ;;
esac
