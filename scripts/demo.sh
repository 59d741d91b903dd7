#!/usr/bin/env bash
# Brings up the whole system locally and makes exports end to end:
#   emulator (EMULATOR=moto, the default, or localstack: see scripts/emulator.sh) → build →
#   provision → seed a demo practice → start the local runner (API on 127.0.0.1:8080, the web
#   client on 127.0.0.1:3000, renderer polling the queue) → one export of each type in each
#   format, downloaded through its presigned URL into out/exports/ → a table of what happened →
#   a custom template and two scheduled reports, one scheduler tick at their time, and the mail
#   they sent saved as .eml files in out/mail/ → the web app's address with a ready token.
# Leaves the emulator and the runner up; `scripts/demo.sh stop` stops both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

STATE=$ROOT/.local
RUNNER_PID=$STATE/runner.pid
RUNNER_LOG=$STATE/runner.log
export LOCAL_JWT_SECRET=${LOCAL_JWT_SECRET:-local-demo-secret}
export LOCAL_API_ADDR=${LOCAL_API_ADDR:-127.0.0.1:8080}
export LOCAL_WEB_ADDR=${LOCAL_WEB_ADDR:-127.0.0.1:3000}
API=http://$LOCAL_API_ADDR
WEB=http://$LOCAL_WEB_ADDR
# Scheduled-report mail links to {APP_BASE_URL}/exports/{job_id}: the web client, on the origin
# the demo signs in on (its session is per origin).
export APP_BASE_URL=${APP_BASE_URL:-$WEB}
FORMATS=${DEMO_FORMATS:-json,csv,pdf,docx}

stop_runner() {
  if [ -f "$RUNNER_PID" ] && kill -0 "$(cat "$RUNNER_PID")" 2>/dev/null; then
    kill "$(cat "$RUNNER_PID")" && echo "runner: stopped (pid $(cat "$RUNNER_PID"))"
  fi
  rm -f "$RUNNER_PID"
}

if [ "${1:-}" = stop ]; then
  stop_runner
  if [ "$EMULATOR" != none ]; then scripts/emulator.sh stop; fi
  exit 0
fi

step() { printf '\n== %s\n' "$*"; }
t0=$(date +%s)
mkdir -p "$STATE" out/exports out/mail

step "1/7 emulator"
if [ "$EMULATOR" != none ]; then scripts/emulator.sh start; else echo "EMULATOR=none: using ${AWS_ENDPOINT_URL:-real AWS}"; fi

step "2/7 build (cargo, target dir $CARGO_TARGET_DIR; the first build takes a few minutes)"
cargo build --workspace --locked --bins
BIN=$CARGO_TARGET_DIR/debug

step "3/7 provision every resource (idempotent)"
"$BIN/exports-admin" provision

step "4/7 seed a demo practice"
"$BIN/exports-admin" seed-demo --patients "${DEMO_PATIENTS:-6}" --sessions "${DEMO_SESSIONS:-24}" \
  --words "${DEMO_WORDS:-300}" --seed "${DEMO_SEED:-42}" --manifest "$STATE/demo-manifest.json"

step "5/7 local runner: API on $API, web client on $WEB, renderer polling the jobs queue (log: $RUNNER_LOG)"
stop_runner
nohup "$BIN/exports-local-runner" >"$RUNNER_LOG" 2>&1 &
echo $! >"$RUNNER_PID"
for _ in $(seq 1 100); do
  if python3 -c "import socket; socket.create_connection(('${LOCAL_API_ADDR%:*}', ${LOCAL_API_ADDR##*:}), 1)" 2>/dev/null; then break; fi
  kill -0 "$(cat "$RUNNER_PID")" 2>/dev/null || { echo "runner exited:"; cat "$RUNNER_LOG"; exit 1; }
  sleep 0.1
done
echo "runner: pid $(cat "$RUNNER_PID")"

step "6/7 exports end to end ($FORMATS)"
THERAPIST=$(python3 -c "import json; print(json.load(open('$STATE/demo-manifest.json'))['therapists'][0]['therapist_id'])")
TOKEN=$("$BIN/exports-admin" mint-token --sub "$THERAPIST" --groups therapist --ttl-seconds 86400)
python3 scripts/demo_exports.py --api "$API" --token "$TOKEN" --manifest "$STATE/demo-manifest.json" \
  --out out/exports --formats "$FORMATS"

step "7/7 scheduled reports: template, schedules, one scheduler tick, the mail saved as .eml"
python3 scripts/demo_schedule.py --api "$API" --token "$TOKEN" --manifest "$STATE/demo-manifest.json" \
  --runner "$BIN/exports-local-runner" --out out/mail

step "done in $(( $(date +%s) - t0 )) s"
cat <<MSG
The local system is up: AWS at ${AWS_ENDPOINT_URL:-AWS}${AWS_ENDPOINT_URL_DYNAMODB:+ (DynamoDB at $AWS_ENDPOINT_URL_DYNAMODB)}, API at $API.
  Web app: $WEB/#token=$TOKEN
  Try:     curl -s -H "Authorization: Bearer $TOKEN" $API/api/v1/export/jobs
  Token:   LOCAL_JWT_SECRET=$LOCAL_JWT_SECRET $BIN/exports-admin mint-token --sub <therapist id> --groups therapist
  Stop:    scripts/demo.sh stop
MSG
