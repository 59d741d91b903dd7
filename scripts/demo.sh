#!/usr/bin/env bash
# Brings up the whole system locally: the AWS emulator, every resource, a seeded demo practice.
# Prints what it did. Leaves the emulator running (stop it with `scripts/emulator.sh stop`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

step() { printf '\n== %s\n' "$*"; }
t0=$(date +%s)

step "1/4 emulator"
if [ "$EMULATOR" = moto ]; then scripts/emulator.sh start; else echo "EMULATOR=none: using ${AWS_ENDPOINT_URL:-real AWS}"; fi

step "2/4 build (cargo, target dir $CARGO_TARGET_DIR; the first build takes a few minutes)"
cargo build --workspace --locked --bins
BIN=$CARGO_TARGET_DIR/debug

step "3/4 provision every resource (idempotent)"
"$BIN/exports-admin" provision

step "4/4 seed a demo practice"
"$BIN/exports-admin" seed-demo --patients "${DEMO_PATIENTS:-6}" --sessions "${DEMO_SESSIONS:-24}" --words "${DEMO_WORDS:-300}" --seed "${DEMO_SEED:-42}"

step "done in $(( $(date +%s) - t0 )) s"
cat <<MSG
The local system is up at ${AWS_ENDPOINT_URL:-AWS}.
  Inspect:   $BIN/exports-admin --help
  Stop:      scripts/emulator.sh stop
MSG
