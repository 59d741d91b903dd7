#!/usr/bin/env bash
# The local AWS: moto server (pinned) in a project-local venv, on 127.0.0.1:${EMULATOR_PORT:-4566}.
#
#   scripts/emulator.sh start    install moto into .venv if missing, start it, wait until it answers
#   scripts/emulator.sh stop     stop the server this script started (by its PID)
#   scripts/emulator.sh status   say whether it is running
#   scripts/emulator.sh reset    clear all emulator state (POST /moto-api/reset)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MOTO_VERSION=5.2.5
VENV=${PRACTICE_VENV:-$ROOT/.venv}
STATE=$ROOT/.local
PIDFILE=$STATE/moto.pid
LOG=$STATE/moto.log
HOST=127.0.0.1
PORT=${EMULATOR_PORT:-4566}
URL=http://$HOST:$PORT

answers() {
  python3 - "$URL" <<'PY' 2>/dev/null
import sys, urllib.request
urllib.request.urlopen(sys.argv[1] + "/moto-api/", timeout=1)
PY
}

install() {
  if [ -x "$VENV/bin/moto_server" ] && "$VENV/bin/python" -c "import moto, sys; sys.exit(moto.__version__ != '$MOTO_VERSION')" 2>/dev/null; then
    return
  fi
  echo "emulator: installing moto[server]==$MOTO_VERSION into $VENV (about a minute, once)"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
}

running_pid() {
  [ -f "$PIDFILE" ] || return 1
  local pid
  pid=$(cat "$PIDFILE")
  kill -0 "$pid" 2>/dev/null && echo "$pid"
}

start() {
  if pid=$(running_pid); then
    echo "emulator: already running (pid $pid) at $URL"
    return
  fi
  if answers; then
    echo "emulator: something already answers at $URL; using it (not started by this script)"
    return
  fi
  install
  mkdir -p "$STATE"
  # MOTO_DISABLE_GLOBAL_CORS: answer CORS from the bucket's own rules, as S3 does (by default moto
  # allows every origin, which would hide a missing or wrong rule).
  MOTO_DISABLE_GLOBAL_CORS=true nohup "$VENV/bin/moto_server" -H "$HOST" -p "$PORT" >"$LOG" 2>&1 &
  echo $! >"$PIDFILE"
  for _ in $(seq 1 100); do
    if answers; then
      echo "emulator: moto $MOTO_VERSION running (pid $(cat "$PIDFILE")) at $URL, log in $LOG"
      return
    fi
    if ! kill -0 "$(cat "$PIDFILE")" 2>/dev/null; then
      echo "emulator: moto exited during start-up; its log:" >&2
      cat "$LOG" >&2
      rm -f "$PIDFILE"
      exit 1
    fi
    sleep 0.2
  done
  echo "emulator: moto did not answer at $URL within 20 s; see $LOG" >&2
  exit 1
}

stop() {
  if pid=$(running_pid); then
    kill "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    echo "emulator: stopped (pid $pid)"
  else
    echo "emulator: not running (no live pid in $PIDFILE)"
  fi
  rm -f "$PIDFILE"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status)
    if pid=$(running_pid); then echo "emulator: running (pid $pid) at $URL";
    elif answers; then echo "emulator: something answers at $URL (not started by this script)";
    else echo "emulator: not running"; exit 1; fi ;;
  reset) python3 -c "import urllib.request; urllib.request.urlopen(urllib.request.Request('$URL/moto-api/reset', method='POST'))" && echo "emulator: state cleared" ;;
  *) echo "usage: $0 start|stop|status|reset" >&2; exit 2 ;;
esac
