#!/usr/bin/env bash
# Security scan of the SAM template: Checkov (framework cloudformation, which reads the SAM
# resources too) on infra/template.yaml. Runs offline (no platform API key, nothing downloaded).
# Installs the pinned Checkov into a venv outside the repository on first use ($CHECKOV_VENV,
# default /var/tmp/practice-exports-checkov-venv). Exits non-zero on any failed check; a finding
# that is accepted is skipped in the template itself (`checkov:skip=<id>:<reason>` in the
# resource's Metadata), so every exception is visible where the resource is (docs/deploy.md lists
# them).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CHECKOV_VERSION=3.3.30
VENV="${CHECKOV_VENV:-/var/tmp/practice-exports-checkov-venv}"
TEMPLATE=infra/template.yaml

installed() {
    [ -x "$VENV/bin/checkov" ] || return 1
    local versions
    versions="$("$VENV/bin/pip" show checkov 2>/dev/null)" || return 1
    grep -qx "Version: $CHECKOV_VERSION" <<<"$versions"
}

if ! installed; then
    echo "installing checkov $CHECKOV_VERSION into $VENV"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check "checkov==$CHECKOV_VERSION"
fi

echo "== checkov $CHECKOV_VERSION -f $TEMPLATE"
# --skip-download: no Prisma Cloud look-ups (guidelines, severities); the checks ship in the
# package. --quiet: failed checks only; --compact: without the code blocks. Checkov exits 1 on
# any failed check.
if ! "$VENV/bin/checkov" --file "$TEMPLATE" --framework cloudformation \
    --skip-download --quiet --compact; then
    echo "security scan: failed checks above (fix them, or skip one in the template with its reason)" >&2
    exit 1
fi
echo "security scan: clean"
