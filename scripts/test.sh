#!/usr/bin/env bash
# Runs every test: unit tests, renderer tests checked by independent readers (qpdf, pdftotext,
# python-docx) and integration tests against the AWS emulator through the real aws-sdk clients.
# Installs what the checks need when missing (Debian packages qpdf and poppler-utils; python-docx
# into the project venv), starts the emulator if it is not running and stops it again if it
# started it. Then, without arguments, the browser end-to-end test of the web client
# (scripts/browser-test.sh, which installs chromium and playwright when missing). Extra arguments
# go to `cargo test` and skip the browser test (e.g. `scripts/test.sh -p exports-core`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

missing=()
command -v qpdf >/dev/null || missing+=(qpdf)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "tests: installing ${missing[*]} (Debian packages, for checking PDFs)"
  if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
  else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null; fi
fi
VENV=${PRACTICE_VENV:-$ROOT/.venv}
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
if ! "$VENV/bin/python" -c "import docx" 2>/dev/null; then
  echo "tests: installing python-docx into $VENV (for checking DOCX files)"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "python-docx==1.2.0"
fi
export PYTHON_DOCX=$VENV/bin/python

started=""
if [ "$EMULATOR" = moto ] && ! scripts/emulator.sh status >/dev/null 2>&1; then
  scripts/emulator.sh start
  started=yes
fi
cleanup() { if [ -n "$started" ]; then scripts/emulator.sh stop; fi; }
trap cleanup EXIT

echo "tests: AWS endpoint ${AWS_ENDPOINT_URL:-(real AWS)}, target dir $CARGO_TARGET_DIR"
cargo test --workspace --locked "$@"

# The reference web client in a real browser (chromium + Playwright), against the same emulator.
# Only for the whole suite: arguments select cargo tests.
if [ $# -eq 0 ]; then
  echo "tests: browser end-to-end test of web/ (scripts/browser-test.sh)"
  scripts/browser-test.sh
fi
