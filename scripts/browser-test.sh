#!/usr/bin/env bash
# The browser end-to-end test of the reference web client (web/): Debian's chromium, driven by
# Playwright for Python (tests/browser/), against the local runner and the CORS-strict emulator.
#
# Installs what it needs when missing: the Debian package chromium (apt-get, as root or with
# sudo) and the pinned playwright and pytest into the project venv (PRACTICE_VENV, default .venv).
# Playwright's own browser download (`playwright install`) is never used. Starts the emulator if
# it is not running (and stops it again), builds the binaries (a no-op when they are fresh),
# provisions a fresh resource prefix (browser-<random>) whose bucket admits the test's web
# origin, seeds a small demo practice, mints a therapist token, starts exports-local-runner on free
# ports (API + web client, no scheduler ticks) and stops it at the end. Screenshots and
# downloaded files go to out/browser/. Extra arguments go to pytest (e.g. `-x`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

PLAYWRIGHT_VERSION=1.65.2
PYTEST_VERSION=9.2.0
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
VENV=${PRACTICE_VENV:-$ROOT/.venv}
OUT=$ROOT/out/browser
t0=$(date +%s)

if [ ! -x "$CHROMIUM" ]; then
  echo "browser test: installing chromium (Debian package)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium >/dev/null; fi
fi
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! "$VENV/bin/python" - <<PY 2>/dev/null
import importlib.metadata as m, sys
sys.exit(m.version("playwright") != "$PLAYWRIGHT_VERSION" or m.version("pytest") != "$PYTEST_VERSION")
PY
then
  echo "browser test: installing playwright==$PLAYWRIGHT_VERSION and pytest==$PYTEST_VERSION into $VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check \
    "playwright==$PLAYWRIGHT_VERSION" "pytest==$PYTEST_VERSION"
fi

RUN=$(mktemp -d /tmp/practice-exports-browser.XXXXXX)
RUNNER_PID=""
started_emulator=""
cleanup() {
  if [ -n "$RUNNER_PID" ] && kill -0 "$RUNNER_PID" 2>/dev/null; then
    kill "$RUNNER_PID"
    wait "$RUNNER_PID" 2>/dev/null || true
  fi
  if [ -n "$started_emulator" ]; then scripts/emulator.sh stop; fi
  rm -rf "$RUN"
}
trap cleanup EXIT

if [ "$EMULATOR" = moto ] && ! scripts/emulator.sh status >/dev/null 2>&1; then
  scripts/emulator.sh start
  started_emulator=yes
fi

cargo build --workspace --locked --bins --quiet
BIN=$CARGO_TARGET_DIR/debug

# Two free ports, one origin each: the page's calls to the API cross origins, as in production.
read -r API_PORT WEB_PORT < <(python3 - <<'PY'
import socket
sockets = [socket.socket() for _ in range(2)]
for s in sockets:
    s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in sockets))
PY
)
export RESOURCE_PREFIX=browser-$(python3 -c "import secrets; print(secrets.token_hex(4))")
export WEB_APP_ORIGIN=http://127.0.0.1:$WEB_PORT
export LOCAL_API_ADDR=127.0.0.1:$API_PORT LOCAL_WEB_ADDR=127.0.0.1:$WEB_PORT
export LOCAL_WEB_DIR=$ROOT/web LOCAL_TICK_SECONDS=0
export LOCAL_JWT_SECRET=${LOCAL_JWT_SECRET:-browser-test-secret}
echo "browser test: resources $RESOURCE_PREFIX-*, API http://$LOCAL_API_ADDR, web $WEB_APP_ORIGIN"

"$BIN/exports-admin" provision >"$RUN/provision.log" 2>&1 || { cat "$RUN/provision.log"; exit 1; }
"$BIN/exports-admin" seed-demo --patients 2 --sessions 6 --words 60 --seed 7 \
  --manifest "$RUN/manifest.json" >"$RUN/seed.log" 2>&1 || { cat "$RUN/seed.log"; exit 1; }
# Not the first therapist: seed-demo gives them the job, template and scheduled report the sample
# events name, and the test counts what the user makes. The last therapist with a patient.
THERAPIST=$(python3 -c "import json, sys; print([t for t in json.load(open(sys.argv[1]))['therapists'] if t['patients']][-1]['therapist_id'])" "$RUN/manifest.json")
TOKEN=$("$BIN/exports-admin" mint-token --sub "$THERAPIST" --groups therapist --ttl-seconds 3600)

"$BIN/exports-local-runner" >"$RUN/runner.log" 2>&1 &
RUNNER_PID=$!
for _ in $(seq 1 100); do
  if python3 -c "import urllib.request; urllib.request.urlopen('$WEB_APP_ORIGIN/config.json', timeout=1)" 2>/dev/null; then break; fi
  kill -0 "$RUNNER_PID" 2>/dev/null || { echo "runner exited:"; cat "$RUN/runner.log"; exit 1; }
  sleep 0.1
done

mkdir -p "$OUT"
status=0
WEB_URL=$WEB_APP_ORIGIN API_URL=http://$LOCAL_API_ADDR TOKEN=$TOKEN THERAPIST_ID=$THERAPIST \
  MANIFEST=$RUN/manifest.json OUT_DIR=$OUT CHROMIUM=$CHROMIUM LOCAL_RUNNER=$BIN/exports-local-runner \
  PYTHONDONTWRITEBYTECODE=1 \
  "$VENV/bin/python" -m pytest tests/browser -p no:cacheprovider -q "$@" || status=$?
if [ "$status" != 0 ]; then
  echo "browser test: the runner's log (last 40 lines):"
  tail -n 40 "$RUN/runner.log"
fi
echo "browser test: screenshots and downloads in out/browser/; $(( $(date +%s) - t0 )) s"
exit "$status"
