#!/usr/bin/env bash
# Runs every test: unit tests, renderer tests checked by independent readers (qpdf, pdftotext,
# python-docx, LibreOffice, the Open XML SDK's validator) and integration tests against the AWS
# emulator through the real aws-sdk clients. Installs what the checks need when missing (Debian
# packages qpdf, poppler-utils and libreoffice-writer-nogui; python-docx into the project venv;
# the DOCX validator, pinned in shared/docx/tests/ooxml-validator, with `npm ci` there), starts
# the emulator of profile $EMULATOR (moto by default, or
# localstack: see scripts/emulator.sh) if it is not running and stops it again if it started it.
#
# EMULATOR=moto (default): `cargo test --workspace`. Tests that need an S3 which checks presigned
#   URLs are reported `ignored` with their reason.
# EMULATOR=localstack: only the tests that talk to the emulator (packages exports-tests and
#   exports-admin), those ignored under moto included (`-- --include-ignored`); the pure unit
#   tests would only repeat the moto run.
# Extra arguments replace those defaults and go to `cargo test` as given
# (e.g. `scripts/test.sh -p exports-core`).
#
# Then, under moto and without arguments: the browser end-to-end test of the web client
# (scripts/browser-test.sh, which installs chromium and playwright when missing) and the contract
# fuzz (scripts/api-fuzz.sh, Schemathesis).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$ROOT"

install_readers() {
  local missing=()
  command -v qpdf >/dev/null || missing+=(qpdf)
  command -v pdftotext >/dev/null || missing+=(poppler-utils)
  # LibreOffice lays DOCX files out for shared/docx/tests/libreoffice.rs.
  command -v soffice >/dev/null || command -v libreoffice >/dev/null || missing+=(libreoffice-writer-nogui)
  if [ ${#missing[@]} -gt 0 ]; then
    echo "tests: installing ${missing[*]} (Debian packages, for checking PDF and DOCX files)"
    if [ "$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq "${missing[@]}" >/dev/null
    else sudo apt-get update -qq && sudo apt-get install -y -qq "${missing[@]}" >/dev/null; fi
  fi
  local venv=${PRACTICE_VENV:-$ROOT/.venv}
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  if ! "$venv/bin/python" -c "import docx" 2>/dev/null; then
    echo "tests: installing python-docx into $venv (for checking DOCX files)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "python-docx==1.2.0"
  fi
  export PYTHON_DOCX=$venv/bin/python
  # The Open XML SDK's validator (WebAssembly, from npm) for shared/docx/tests/ooxml_schema.rs;
  # npm's download cache is kept outside the clone, as for scripts/contract-check.sh.
  local validator=$ROOT/shared/docx/tests/ooxml-validator
  if ! cmp -s "$validator/package-lock.json" "$validator/node_modules/.package-lock.json" 2>/dev/null; then
    echo "tests: installing the DOCX validator (npm ci in $validator)"
    (cd "$validator" && npm ci --no-audit --no-fund --loglevel=error --cache "${NPM_CACHE:-/var/tmp/practice-exports-npm-cache}")
  fi
}

run_cargo_tests() {
  local args=("$@")
  if [ ${#args[@]} -eq 0 ]; then
    if [ "$EMULATOR" = localstack ]; then
      args=(-p exports-tests -p exports-admin -- --include-ignored)
    else
      args=(--workspace)
    fi
  fi
  echo "tests: EMULATOR=$EMULATOR, AWS endpoint ${AWS_ENDPOINT_URL:-(real AWS)}${AWS_ENDPOINT_URL_DYNAMODB:+, DynamoDB $AWS_ENDPOINT_URL_DYNAMODB}, target dir $CARGO_TARGET_DIR"
  echo "tests: cargo test --locked ${args[*]}"
  local t0=$SECONDS
  cargo test --locked "${args[@]}"
  echo "tests: cargo test (EMULATOR=$EMULATOR) took $((SECONDS - t0)) s"
}

install_readers
trap emulator_down EXIT
emulator_up
run_cargo_tests "$@"

# The reference web client in a real browser (chromium + Playwright), and the API fuzzed from its
# contract, against the same emulator. Only for the whole suite under moto: arguments select
# cargo tests, and the LocalStack run repeats only what its S3 checks differently.
if [ $# -eq 0 ] && [ "$EMULATOR" = moto ]; then
  echo "tests: browser end-to-end test of web/ (scripts/browser-test.sh)"
  t0=$SECONDS
  scripts/browser-test.sh
  echo "tests: browser test took $((SECONDS - t0)) s"
  echo "tests: contract fuzz (scripts/api-fuzz.sh)"
  t0=$SECONDS
  scripts/api-fuzz.sh
  echo "tests: contract fuzz took $((SECONDS - t0)) s"
fi
