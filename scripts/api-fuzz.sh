#!/usr/bin/env bash
# Fuzzes the API from its contract: Schemathesis (pinned) generates requests from docs/openapi.yaml
# and runs every check (`--checks all`: status codes, content types, headers and bodies against
# the schema, server errors, negative data refused, positive data accepted, …) against the local
# runner, over a freshly provisioned and seeded set of resources on the emulator. Any failure
# fails the script. Bounded: a fixed seed, at most $FUZZ_EXAMPLES examples per operation
# (default 20) and $FUZZ_MAX_TIME seconds per run (default 90).
#
# Two runs: as a therapist (every operation but the audit export) and as an admin (the audit
# export). The runner allows a high export rate here (EXPORTS_PER_HOUR), since the rate limit is
# tested elsewhere and would otherwise answer most generated exports with 429.
#
# Uses the running emulator, or starts one for the run (scripts/env.sh, EMULATOR profile).
# Schemathesis goes into its own venv ($FUZZ_VENV, default /var/tmp/practice-exports-schemathesis-venv).
# Reports (JUnit XML, NDJSON) land in out/fuzz/.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

SCHEMATHESIS_VERSION=4.32.5
VENV=${FUZZ_VENV:-/var/tmp/practice-exports-schemathesis-venv}
EXAMPLES=${FUZZ_EXAMPLES:-20}
MAX_TIME=${FUZZ_MAX_TIME:-90}
SEED=${FUZZ_SEED:-20261207}
OUT=$ROOT/out/fuzz
STATE=$(mktemp -d)

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "version $SCHEMATHESIS_VERSION$"; then
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

BIN=$CARGO_TARGET_DIR/debug
# Always: a binary left in a shared target directory by another checkout must not be what is
# fuzzed (a second or so when nothing changed).
cargo build --workspace --locked --bins --quiet

runner_pid=""
cleanup() {
  if [ -n "$runner_pid" ]; then kill "$runner_pid" 2>/dev/null || true; wait "$runner_pid" 2>/dev/null || true; fi
  emulator_down
  rm -rf "$STATE"
}
trap cleanup EXIT
emulator_up

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
export RESOURCE_PREFIX="fuzz-$(python3 -c 'import uuid; print(uuid.uuid4().hex[:10])')"
export LOCAL_JWT_SECRET=fuzz-secret
export LOCAL_API_ADDR=127.0.0.1:$(free_port)
export LOCAL_TICK_SECONDS=0
export EXPORTS_PER_HOUR=100000
export LOG_LEVEL=warn
API=http://$LOCAL_API_ADDR

echo "fuzz: resources $RESOURCE_PREFIX-*, API $API"
"$BIN/exports-admin" provision >/dev/null
"$BIN/exports-admin" seed-demo --patients 2 --sessions 4 --words 40 --seed 11 \
  --manifest "$STATE/manifest.json" >/dev/null
THERAPIST=$(python3 -c "import json,sys; print(json.load(open(sys.argv[1]))['therapists'][0]['therapist_id'])" "$STATE/manifest.json")
THERAPIST_TOKEN=$("$BIN/exports-admin" mint-token --sub "$THERAPIST" --groups therapist --ttl-seconds 3600)
ADMIN_TOKEN=$("$BIN/exports-admin" mint-token --sub fuzz-admin --groups admin --ttl-seconds 3600)

"$BIN/exports-local-runner" --no-web >"$STATE/runner.log" 2>&1 &
runner_pid=$!
for _ in $(seq 1 100); do
  python3 -c "import socket; socket.create_connection(('127.0.0.1', ${LOCAL_API_ADDR##*:}), 1)" 2>/dev/null && break
  kill -0 "$runner_pid" 2>/dev/null || { echo "fuzz: runner exited:"; cat "$STATE/runner.log"; exit 1; }
  sleep 0.1
done

mkdir -p "$OUT"
fuzz() {
  local who=$1 token=$2; shift 2
  echo "== schemathesis as $who (seed $SEED, at most $EXAMPLES examples per operation, ${MAX_TIME}s)"
  "$VENV/bin/schemathesis" --config-file tests/contract/schemathesis.toml run docs/openapi.yaml \
    --url "$API" \
    --header "Authorization: Bearer $token" \
    --checks all --exclude-checks use_after_free --max-examples "$EXAMPLES" --seed "$SEED" --max-time "$MAX_TIME" \
    --no-color --warnings off --generation-database none \
    --report junit,ndjson --report-dir "$OUT" \
    --report-junit-path "$OUT/$who.xml" --report-ndjson-path "$OUT/$who.ndjson" \
    "$@"
}
status=0
# The admin's operations (the audit trail) as the admin, every other one as the therapist.
ADMIN_OPS=(exportAuditLog requestAuditExport getAuditExport)
fuzz therapist "$THERAPIST_TOKEN" "${ADMIN_OPS[@]/#/--exclude-operation-id=}" || status=1
fuzz admin "$ADMIN_TOKEN" "${ADMIN_OPS[@]/#/--include-operation-id=}" || status=1
if [ "$status" -ne 0 ]; then
  echo "fuzz: failures above (reports in $OUT; runner log follows)" >&2
  tail -n 20 "$STATE/runner.log" >&2
  exit 1
fi
echo "fuzz: no failures"
