#!/usr/bin/env bash
# Runs every test: unit tests of the core and integration tests against the AWS emulator through
# the real aws-sdk clients. Starts the emulator if it is not running and stops it again if it
# started it. Extra arguments go to `cargo test` (e.g. `scripts/test.sh -p exports-core`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

started=""
if [ "$EMULATOR" = moto ] && ! scripts/emulator.sh status >/dev/null 2>&1; then
  scripts/emulator.sh start
  started=yes
fi
cleanup() { if [ -n "$started" ]; then scripts/emulator.sh stop; fi; }
trap cleanup EXIT

echo "tests: AWS endpoint ${AWS_ENDPOINT_URL:-(real AWS)}, target dir $CARGO_TARGET_DIR"
cargo test --workspace --locked "$@"
