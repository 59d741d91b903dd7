#!/usr/bin/env bash
# Runs every test: unit tests, renderer tests checked by independent readers (qpdf, pdftotext,
# python-docx, LibreOffice, the Open XML SDK's validator, the PDF/UA + PDF/A checker in
# tests/pdf_checks) and integration tests against the AWS emulator through the real aws-sdk
# clients. Installs what the checks need when missing (Debian packages qpdf, poppler-utils and
# libreoffice-writer-nogui; python-docx, pikepdf and pytest into the project venv; the DOCX
# validator, pinned in shared/docx/tests/ooxml-validator, with `npm ci` there), starts the
# emulator of profile $EMULATOR (moto by default, or localstack: see scripts/emulator.sh) if it is
# not running and stops it again if it started it. Exports PYTHON_DOCX and PYTHON_PDF_CHECK (the
# venv's python) for the Rust tests.
#
# EMULATOR=moto (default): first the checker's own tests (pytest tests/pdf_checks), then
#   `cargo test --workspace`. Tests that need an S3 which checks presigned URLs are reported
#   `ignored` with their reason.
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

PIKEPDF_VERSION=10.17.0
PYTEST_VERSION=9.2.0

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
  # The PDF/UA + PDF/A checker (tests/pdf_checks/check_pdf_ua.py) reads PDFs with pikepdf;
  # its own tests run under pytest (the same pin as scripts/browser-test.sh).
  if ! "$venv/bin/python" - <<PY 2>/dev/null
import importlib.metadata as m, sys
sys.exit(m.version("pikepdf") != "$PIKEPDF_VERSION" or m.version("pytest") != "$PYTEST_VERSION")
PY
  then
    echo "tests: installing pikepdf==$PIKEPDF_VERSION and pytest==$PYTEST_VERSION into $venv (for checking PDFs)"
    "$venv/bin/pip" install --quiet --disable-pip-version-check \
      "pikepdf==$PIKEPDF_VERSION" "pytest==$PYTEST_VERSION"
  fi
  export PYTHON_PDF_CHECK=$venv/bin/python
}

# The checker's own tests: synthetic tagged PDFs broken one rule at a time, and a LibreOffice
# PDF/UA export as a known-good reference (skipped when soffice is not installed). A few
# seconds, no emulator.
run_pdf_checker_tests() {
  echo "tests: PDF/UA + PDF/A checker (pytest tests/pdf_checks)"
  local t0=$SECONDS
  "$PYTHON_PDF_CHECK" -m pytest -q -p no:cacheprovider tests/pdf_checks
  echo "tests: PDF checker tests took $((SECONDS - t0)) s"
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
# Only for the whole suite, under moto: arguments select cargo tests, and the LocalStack run
# would only repeat it.
if [ $# -eq 0 ] && [ "$EMULATOR" = moto ]; then run_pdf_checker_tests; fi
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
