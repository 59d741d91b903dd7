#!/usr/bin/env bash
# Regenerates docs/samples/: page 1 of each export type's PDF from the demo practice, and one page
# per script (the session notes of each patient of the multilingual sample practice) in
# docs/samples/scripts/. Needs pdftoppm (poppler-utils). The PDFs and DOCX files themselves are
# written to $SAMPLES_OUT (default /tmp/practice-exports-samples), not committed.
#
#   scripts/samples.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out="${SAMPLES_OUT:-/tmp/practice-exports-samples}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-/var/tmp/practice-exports-target}"
rm -rf "$out"
cargo run --quiet --release -p exports-render --example samples -- --out "$out"

page1() { # pdf png-without-extension
  pdftoppm -png -r 72 -f 1 -l 1 -singlefile "$1" "$2"
}
for pdf in "$out"/*.pdf; do
  page1 "$pdf" "docs/samples/$(basename "$pdf" .pdf)"
done
mkdir -p docs/samples/scripts
rm -f docs/samples/scripts/*.png
for pdf in "$out"/scripts/*.pdf; do
  page1 "$pdf" "docs/samples/scripts/$(basename "$pdf" .pdf)"
done
echo "docs/samples/ updated from $out"
