#!/usr/bin/env bash
# Runs the three functions under `cargo lambda watch` and invokes every sample event in events/
# with `cargo lambda invoke`, printing one line per event (ok/FAILED, the status or outcome).
#
#   scripts/lambda-events.sh            # against the emulator of $EMULATOR (moto by default)
#
# Each run provisions a fresh set of resources (RESOURCE_PREFIX=events-<time>, so the deletions
# of an earlier run do not matter) and seeds them as `exports-admin seed-demo --seed 42` does:
# the demo practice and the job, template and scheduled report the events name. The events go
# in the order a person would try them: reads and new exports, then changes, then deletions.
# Installs cargo-lambda (pinned, with zig, from PyPI) into $CARGO_LAMBDA_VENV (default
# /var/tmp/practice-exports-cargo-lambda-venv) when `cargo lambda` is missing. Starts the emulator
# if it is not running and stops it again if it started it; stops `cargo lambda watch` (its log:
# $LAMBDA_LOG, default /tmp/practice-exports-cargo-lambda.log, outside the tree: a log inside it
# makes watch rebuild forever). `cargo lambda watch` listens on 127.0.0.1:$LAMBDA_PORT (9000).
# Exit status 1 if any event failed.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

CARGO_LAMBDA_VERSION=1.9.2
VENV=${CARGO_LAMBDA_VENV:-/var/tmp/practice-exports-cargo-lambda-venv}
PORT=${LAMBDA_PORT:-9000}
LOG=${LAMBDA_LOG:-/tmp/practice-exports-cargo-lambda.log}
export RESOURCE_PREFIX=events-$(date +%s)

if ! cargo lambda --version >/dev/null 2>&1; then
  if [ ! -x "$VENV/bin/cargo-lambda" ]; then
    echo "events: installing cargo-lambda $CARGO_LAMBDA_VERSION and zig into $VENV (once)"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "cargo-lambda==$CARGO_LAMBDA_VERSION" ziglang
  fi
  export PATH=$VENV/bin:$PATH
fi

watch_pid=""
cleanup() {
  if [ -n "$watch_pid" ] && kill -0 "$watch_pid" 2>/dev/null; then
    kill "$watch_pid"
    for _ in $(seq 1 50); do kill -0 "$watch_pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$watch_pid" 2>/dev/null || true
  fi
  emulator_down
}
trap cleanup EXIT
emulator_up

cargo build --workspace --locked --bins
BIN=$CARGO_TARGET_DIR/debug
"$BIN/exports-admin" provision >/dev/null
"$BIN/exports-admin" seed-demo --seed 42

echo "events: cargo lambda watch on 127.0.0.1:$PORT (log: $LOG), resources $RESOURCE_PREFIX-*"
cargo lambda watch --invoke-address 127.0.0.1 --invoke-port "$PORT" >"$LOG" 2>&1 &
watch_pid=$!
for _ in $(seq 1 300); do
  if python3 -c "import socket; socket.create_connection(('127.0.0.1', $PORT), 1)" 2>/dev/null; then break; fi
  kill -0 "$watch_pid" 2>/dev/null || { echo "cargo lambda watch exited:" >&2; cat "$LOG" >&2; exit 1; }
  sleep 0.2
done

# Events in order: reads, exports, renderer and scheduler; then PUT/PATCH; then DELETE.
mapfile -t events < <(python3 - <<'PY'
import json, pathlib
def phase(path):
    method = json.loads(path.read_text()).get("requestContext", {}).get("http", {}).get("method")
    return {"DELETE": 2, "PUT": 1, "PATCH": 1}.get(method, 0)
for p in sorted(pathlib.Path("events").glob("*.json"), key=lambda p: (phase(p), p.name)):
    print(p)
PY
)

failed=0
for event in "${events[@]}"; do
  name=$(basename "$event")
  case "$name" in
    api-*) fn=exports-api ;;
    renderer-*) fn=exports-renderer ;;
    scheduler-*) fn=exports-scheduler ;;
    *) echo "FAILED $name: no function takes events named like this"; failed=$((failed + 1)); continue ;;
  esac
  # The first invocation of each function waits for its build.
  if out=$(cargo lambda invoke "$fn" --invoke-address 127.0.0.1 --invoke-port "$PORT" --data-file "$event" 2>&1); then
    verdict=$(python3 -c '
import json, sys
name, out = sys.argv[1], sys.argv[2]
try:
    r = json.loads(out)
except ValueError:
    print("FAILED not JSON: " + out[:200]); sys.exit()
if name.startswith("api-"):
    status = r.get("statusCode")
    print(("ok" if 200 <= status < 300 else "FAILED") + f" HTTP {status}" + ("" if 200 <= status < 300 else " " + str(r.get("body", ""))[:200]))
elif name.startswith("renderer-"):
    failures = r.get("batchItemFailures") or []
    print(("ok" if not failures else "FAILED") + f" {len(failures)} batch item failures")
else:
    print("ok " + json.dumps(r))
' "$name" "$out")
  else
    verdict="FAILED invoke: $(echo "$out" | tail -1)"
  fi
  printf '%-34s %-16s %s\n' "$name" "$fn" "$verdict"
  case "$verdict" in ok*) ;; *) failed=$((failed + 1)) ;; esac
done
echo "events: ${#events[@]} invoked, $failed failed"
[ "$failed" -eq 0 ]
