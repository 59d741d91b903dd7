#!/usr/bin/env bash
# Lints the SAM template: cfn-lint, then `sam validate --lint`. Both run offline (no AWS account,
# no credentials: dummy ones and a region are set for SAM). Installs the pinned tools into a venv
# outside the repository on first use ($INFRA_VENV, default /var/tmp/practice-exports-infra-venv).
# Exits non-zero on any finding, warnings and informational ones included.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

# Pinned together: aws-sam-cli 1.170.0 requires a cfn-lint 1.x and runs it for `--lint`.
SAM_CLI_VERSION=1.170.0
CFN_LINT_VERSION=1.58.0
VENV="${INFRA_VENV:-/var/tmp/practice-exports-infra-venv}"
TEMPLATE=infra/template.yaml

installed() {
    [ -x "$VENV/bin/sam" ] && [ -x "$VENV/bin/cfn-lint" ] || return 1
    local versions
    versions="$("$VENV/bin/pip" show aws-sam-cli cfn-lint 2>/dev/null)" || return 1
    grep -qx "Name: aws-sam-cli" <<<"$versions" && grep -qx "Version: $SAM_CLI_VERSION" <<<"$versions" &&
        grep -qx "Version: $CFN_LINT_VERSION" <<<"$versions"
}

if ! installed; then
    echo "installing aws-sam-cli $SAM_CLI_VERSION and cfn-lint $CFN_LINT_VERSION into $VENV"
    [ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check \
        "aws-sam-cli==$SAM_CLI_VERSION" "cfn-lint==$CFN_LINT_VERSION"
fi

# SAM wants a region and looks for credentials even for local validation; none are used.
export AWS_DEFAULT_REGION="${AWS_DEFAULT_REGION:-us-east-1}"
export AWS_REGION="${AWS_REGION:-$AWS_DEFAULT_REGION}"
export AWS_ACCESS_KEY_ID="${AWS_ACCESS_KEY_ID:-lint}"
export AWS_SECRET_ACCESS_KEY="${AWS_SECRET_ACCESS_KEY:-lint}"
# No telemetry. (SAM's weekly "newer version" look-up at PyPI cannot be switched off; it is
# harmless offline: it gives up after 5 s and never changes the exit code.)
export SAM_CLI_TELEMETRY=0
# Never the project's endpoint override: validation must not talk to an emulator either.
unset AWS_ENDPOINT_URL

status=0
echo "== cfn-lint $TEMPLATE"
# Informational findings count too (--non-zero-exit-code informational).
"$VENV/bin/cfn-lint" --non-zero-exit-code informational -- "$TEMPLATE" || status=1
echo "== sam validate --lint -t $TEMPLATE"
"$VENV/bin/sam" validate --lint -t "$TEMPLATE" || status=1
if [ "$status" -ne 0 ]; then
    echo "infra lint: findings above" >&2
    exit 1
fi
echo "infra lint: clean"
