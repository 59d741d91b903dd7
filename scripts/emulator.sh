#!/usr/bin/env bash
# The local AWS, as profile $EMULATOR (default moto):
#   moto        moto server (pinned) on 127.0.0.1:$EMULATOR_PORT (default 4566) for every service.
#   localstack  LocalStack (pinned, host mode, no Docker) on 127.0.0.1:$LOCALSTACK_PORT (default
#               4567) for S3, SQS, SES, KMS and STS, with S3 signature and KMS key validation on;
#               plus moto on 127.0.0.1:$EMULATOR_PORT for DynamoDB (LocalStack's DynamoDB needs
#               Java and DynamoDB Local downloaded at start, which an offline machine cannot do).
#
#   scripts/emulator.sh start    install what is missing into its venv, start, wait until it answers
#   scripts/emulator.sh stop     stop the servers this script started (by PID; SIGKILL after 10 s)
#   scripts/emulator.sh status   say whether they are running (exit 1 if one is not)
#   (stop and status take an optional server name, moto or localstack, to act on that one only)
#   scripts/emulator.sh reset    clear all emulator state (moto: POST /moto-api/reset; LocalStack:
#                                restart it, since its community edition has no reset endpoint)
#
# moto goes into $PRACTICE_VENV (default .venv) with the first python3 on PATH. LocalStack needs
# Python 3.13: it goes into $LOCALSTACK_VENV (default /var/tmp/practice-exports-localstack-venv),
# made with python3.13 from PATH or pyenv ($LOCALSTACK_PYTHON overrides).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PROFILE=${EMULATOR:-moto}
STATE=$ROOT/.local
HOST=127.0.0.1

MOTO_VERSION=5.2.5
MOTO_VENV=${PRACTICE_VENV:-$ROOT/.venv}
MOTO_PORT=${EMULATOR_PORT:-4566}
MOTO_URL=http://$HOST:$MOTO_PORT

# LocalStack and the pins it needs to start on Python 3.13 (newer cbor2, pyopenssl and
# cryptography releases break its start-up; service_identity is part of its runtime extra).
LOCALSTACK_VERSION=2026.3.0
LOCALSTACK_PINS=("localstack-core[runtime]==$LOCALSTACK_VERSION" "cbor2<6" "pyopenssl==25.1.0"
  "cryptography<46" "service_identity")
LOCALSTACK_VENV=${LOCALSTACK_VENV:-/var/tmp/practice-exports-localstack-venv}
LOCALSTACK_PORT=${LOCALSTACK_PORT:-4567}
LOCALSTACK_URL=http://$HOST:$LOCALSTACK_PORT
LOCALSTACK_DATA=${TMPDIR:-/tmp}/practice-exports-localstack-$LOCALSTACK_PORT

answers() { # URL PATH: does an HTTP server answer there (any status)?
  python3 - "$1$2" <<'PY' 2>/dev/null
import sys, urllib.request, urllib.error
try:
    urllib.request.urlopen(sys.argv[1], timeout=1)
except urllib.error.HTTPError:
    pass
PY
}
moto_answers() { answers "$MOTO_URL" /moto-api/; }
localstack_answers() { answers "$LOCALSTACK_URL" /_localstack/health; }

pidfile() { echo "$STATE/$1.pid"; }
logfile() { echo "$STATE/$1.log"; }

running_pid() { # NAME
  local f pid
  f=$(pidfile "$1")
  [ -f "$f" ] || return 1
  pid=$(cat "$f")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

install_moto() {
  if [ -x "$MOTO_VENV/bin/moto_server" ] && "$MOTO_VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    return
  fi
  echo "emulator: installing moto[server]==$MOTO_VERSION into $MOTO_VENV (about a minute, once)"
  python3 -m venv "$MOTO_VENV"
  "$MOTO_VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
}

# A Python 3.13 interpreter: $LOCALSTACK_PYTHON, python3.13 on PATH, or pyenv's 3.13.x.
find_python313() {
  local candidates=() c
  [ -n "${LOCALSTACK_PYTHON:-}" ] && candidates+=("$LOCALSTACK_PYTHON")
  command -v python3.13 >/dev/null 2>&1 && candidates+=("$(command -v python3.13)")
  local pyenv_root=${PYENV_ROOT:-$HOME/.pyenv}
  for c in "$pyenv_root"/versions/3.13*/bin/python3; do [ -x "$c" ] && candidates+=("$c"); done
  for c in "${candidates[@]}"; do
    # pyenv's shim exists even when no 3.13 is installed: ask the interpreter itself.
    if "$c" -c 'import sys, venv; sys.exit(sys.version_info[:2] != (3, 13))' 2>/dev/null; then
      echo "$c"
      return
    fi
  done
  return 1
}

install_localstack() {
  if "$LOCALSTACK_VENV/bin/python" -c "
import sys, importlib.metadata as m
sys.exit(m.version('localstack-core') != '$LOCALSTACK_VERSION')" 2>/dev/null; then
    return
  fi
  local python
  if ! python=$(find_python313); then
    cat >&2 <<MSG
emulator: LocalStack $LOCALSTACK_VERSION needs Python 3.13 with the venv module, and none was found
  (looked for \$LOCALSTACK_PYTHON, python3.13 on PATH, ${PYENV_ROOT:-$HOME/.pyenv}/versions/3.13*/bin/python3).
  Install one (e.g. 'pyenv install 3.13', or Debian's python3.13 and python3.13-venv) or set
  LOCALSTACK_PYTHON to its path.
MSG
    exit 1
  fi
  echo "emulator: installing LocalStack $LOCALSTACK_VERSION into $LOCALSTACK_VENV with $python (about 2 minutes, once)"
  "$python" -m venv "$LOCALSTACK_VENV"
  "$LOCALSTACK_VENV/bin/pip" install --quiet --disable-pip-version-check "${LOCALSTACK_PINS[@]}"
}

wait_until() { # NAME CHECK SECONDS: wait until CHECK succeeds while the process lives
  local name=$1 check=$2 seconds=$3 pid
  pid=$(cat "$(pidfile "$name")")
  for _ in $(seq 1 $((seconds * 5))); do
    $check && return 0
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "emulator: $name exited during start-up; its log:" >&2
      cat "$(logfile "$name")" >&2
      rm -f "$(pidfile "$name")"
      exit 1
    fi
    sleep 0.2
  done
  echo "emulator: $name did not answer within $seconds s; see $(logfile "$name")" >&2
  exit 1
}

start_moto() {
  if pid=$(running_pid moto); then
    echo "emulator: moto already running (pid $pid) at $MOTO_URL"
    return
  fi
  if moto_answers; then
    echo "emulator: something already answers at $MOTO_URL; using it (not started by this script)"
    return
  fi
  install_moto
  mkdir -p "$STATE"
  # No global CORS headers: buckets answer browsers with their own CORS configuration, as S3 does.
  MOTO_DISABLE_GLOBAL_CORS=true nohup "$MOTO_VENV/bin/moto_server" -H "$HOST" -p "$MOTO_PORT" \
    >"$(logfile moto)" 2>&1 &
  echo $! >"$(pidfile moto)"
  wait_until moto moto_answers 20
  echo "emulator: moto $MOTO_VERSION running (pid $(cat "$(pidfile moto)")) at $MOTO_URL, log in $(logfile moto)"
}

start_localstack() {
  if pid=$(running_pid localstack); then
    echo "emulator: LocalStack already running (pid $pid) at $LOCALSTACK_URL"
    return
  fi
  if localstack_answers; then
    echo "emulator: something already answers at $LOCALSTACK_URL; using it (not started by this script)"
    return
  fi
  install_localstack
  mkdir -p "$STATE"
  local t0
  t0=$(date +%s%N)
  # Host mode (OVERRIDE_IN_DOCKER=0), loopback only, only the services the system uses, S3
  # checking signatures (presigned URLs expire and cannot be altered) and that KMS keys exist,
  # SQS queue URLs of the form http://127.0.0.1:PORT/queue/REGION/ACCOUNT/NAME, no DNS server,
  # its files (sent mail, caches) in $LOCALSTACK_DATA, outside the tree (cargo lambda watch
  # rebuilds on file changes) and wiped at each start: state lives as long as the process.
  rm -rf "$LOCALSTACK_DATA"
  mkdir -p "$LOCALSTACK_DATA"
  (
    cd "$LOCALSTACK_DATA"
    env OVERRIDE_IN_DOCKER=0 GATEWAY_LISTEN="$HOST:$LOCALSTACK_PORT" LOCALSTACK_HOST="$HOST:$LOCALSTACK_PORT" \
      SERVICES=s3,sqs,ses,kms,sts S3_SKIP_SIGNATURE_VALIDATION=0 S3_SKIP_KMS_KEY_VALIDATION=0 \
      SQS_ENDPOINT_STRATEGY=path DNS_ADDRESS=0 DISABLE_EVENTS=1 \
      LOCALSTACK_VOLUME_DIR="$LOCALSTACK_DATA" \
      nohup "$LOCALSTACK_VENV/bin/python" "$ROOT/scripts/localstack_run.py" >"$(logfile localstack)" 2>&1 &
    echo $! >"$(pidfile localstack)"
  )
  wait_until localstack localstack_answers 120
  echo "emulator: LocalStack $LOCALSTACK_VERSION running (pid $(cat "$(pidfile localstack)")) at $LOCALSTACK_URL" \
    "for S3, SQS, SES, KMS, STS; answered after $(( ($(date +%s%N) - t0) / 1000000 )) ms; log in $(logfile localstack)"
}

stop_one() { # NAME
  local pid
  if pid=$(running_pid "$1"); then
    kill "$pid"
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pid" 2>/dev/null; then
      kill -9 "$pid" 2>/dev/null || true
      echo "emulator: $1 ignored SIGTERM for 10 s; killed (pid $pid)"
    else
      echo "emulator: $1 stopped (pid $pid)"
    fi
  fi
  rm -f "$(pidfile "$1")"
}

status_one() { # NAME URL CHECK
  if pid=$(running_pid "$1"); then echo "emulator: $1 running (pid $pid) at $2"
  elif $3; then echo "emulator: something answers at $2 (not started by this script)"
  else echo "emulator: $1 not running"; return 1; fi
}

reset_moto() {
  python3 -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('$MOTO_URL/moto-api/reset', method='POST'))"
  echo "emulator: moto state cleared"
}

case "$PROFILE" in
  moto|localstack) ;;
  *) echo "emulator: EMULATOR=$PROFILE starts nothing (profiles: moto, localstack)" >&2; exit 2 ;;
esac

case "${1:-}" in
  start)
    # LocalStack's prerequisites first: a missing Python 3.13 stops before anything starts.
    if [ "$PROFILE" = localstack ] && [ -z "$(running_pid localstack)" ]; then install_localstack; fi
    start_moto
    if [ "$PROFILE" = localstack ]; then start_localstack; fi ;;
  stop)
    # Stops whatever this script started, whichever profile started it.
    case "${2:-}" in
      moto|localstack) stop_one "$2" ;;
      "")
        if [ -z "$(running_pid localstack)" ] && [ -z "$(running_pid moto)" ]; then
          echo "emulator: not running (no live pid in $STATE/*.pid)"
        fi
        stop_one localstack
        stop_one moto ;;
      *) echo "emulator: no server $2 (moto, localstack)" >&2; exit 2 ;;
    esac ;;
  status)
    case "${2:-}" in
      moto) status_one moto "$MOTO_URL" moto_answers ;;
      localstack) status_one localstack "$LOCALSTACK_URL" localstack_answers ;;
      "")
        status_one moto "$MOTO_URL" moto_answers
        if [ "$PROFILE" = localstack ]; then status_one localstack "$LOCALSTACK_URL" localstack_answers; fi ;;
      *) echo "emulator: no server $2 (moto, localstack)" >&2; exit 2 ;;
    esac ;;
  reset)
    reset_moto
    if [ "$PROFILE" = localstack ]; then
      stop_one localstack
      start_localstack
    fi ;;
  *) echo "usage: [EMULATOR=moto|localstack] $0 start|stop [SERVER]|status [SERVER]|reset" >&2; exit 2 ;;
esac
