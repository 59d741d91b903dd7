#!/usr/bin/env bash
# OpenAPI quality gates on docs/openapi.yaml (tests/contract/):
#   1. `redocly lint` with the recommended ruleset (tests/contract/redocly.yaml);
#   2. a TypeScript client generated from the spec with openapi-typescript, as a web app's
#      developers generate theirs (`--default-non-nullable false`, so fields with a default stay
#      optional in request bodies), must compile with `tsc --noEmit` together with
#      tests/contract/client.ts, a small client that uses the generated types.
# Installs the pinned tools (package-lock.json) with `npm ci` into tests/contract/node_modules;
# npm's download cache is kept outside the clone ($NPM_CACHE, default
# /var/tmp/practice-exports-npm-cache). Needs Node.js 20.19+ and npm.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT/tests/contract"
command -v npm >/dev/null || { echo "contract-check: npm (Node.js 20.19 or later) is required" >&2; exit 1; }
if ! cmp -s package-lock.json node_modules/.package-lock.json 2>/dev/null; then
  npm ci --no-audit --no-fund --loglevel=error --cache "${NPM_CACHE:-/var/tmp/practice-exports-npm-cache}"
fi
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true NO_UPDATE_NOTIFIER=1
echo "== redocly lint (recommended)"
# Warnings count: redocly itself fails on errors only. (The filter hides its Node.js banner.)
status=0
out=$(npx --no-install redocly lint --config redocly.yaml --format=stylish ../../docs/openapi.yaml 2>&1) || status=$?
grep -v '[║╔╚]' <<<"$out" || true
if [ "$status" -ne 0 ] || grep -q "You have [0-9]* warning" <<<"$out"; then
  echo "contract-check: redocly lint found problems" >&2
  exit 1
fi
echo "== openapi-typescript → tests/contract/generated/openapi.d.ts"
npx --no-install openapi-typescript ../../docs/openapi.yaml --default-non-nullable false \
  --output generated/openapi.d.ts
echo "== tsc --noEmit (generated types + tests/contract/client.ts)"
npx --no-install tsc --noEmit -p .
echo "contract-check: clean"
