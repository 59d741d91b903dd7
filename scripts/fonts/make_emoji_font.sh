#!/usr/bin/env bash
# Builds shared/pdf/fonts/SymbolaEmoji.ttf, the monochrome emoji/symbol fallback of exports-pdf:
# Symbola 9.17 (Debian `fonts-symbola`, "free for any use") cut down with fontTools' subsetter to
# the emoji and symbol blocks DejaVu Sans does not cover well. The whole font is 3.1 MB (9 600
# glyphs: Greek, Coptic, phonetics, mathematics, ...); this subset is about 0.9 MB.
#
#   apt-get install -y fonts-symbola python3-fonttools
#   scripts/fonts/make_emoji_font.sh
#
# Kept: emoji and pictographs (U+1F100–1F1FF enclosed alphanumerics with the regional
# indicators, U+1F300–1F6FF pictographs, emoticons, transport, U+1F900–1F9FF supplemental
# pictographs), U+2300–23FF technical symbols (⌚ ⏰), U+2600–27BF symbols and dingbats (☀ ✅),
# U+2B00–2BFF arrows and shapes (⭐), the keycap U+20E3 and the few CJK-block emoji.
# Dropped: hinting (PDF viewers ignore TrueType instructions of embedded fonts at these sizes),
# glyph names, and the layout tables (the renderer does not shape emoji: one glyph per code point).
set -euo pipefail
PYTHON=${PYTHON:-/usr/bin/python3}
SOURCE=${SOURCE:-/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf}
OUT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/shared/pdf/fonts/SymbolaEmoji.ttf"

"$PYTHON" -m fontTools.subset "$SOURCE" \
  --unicodes="U+20E3,U+2300-23FF,U+2600-27BF,U+2934-2935,U+2B00-2BFF,U+3030,U+303D,U+3297,U+3299,U+1F100-1F1FF,U+1F300-1F6FF,U+1F900-1F9FF" \
  --no-hinting \
  --no-glyph-names \
  --layout-features='' \
  --drop-tables+=GSUB,GPOS,GDEF,DSIG \
  --name-IDs='*' \
  --output-file="$OUT"
echo "$OUT: $(stat -c %s "$OUT") bytes from $SOURCE"
