# Sourced by the scripts: the local defaults, each overridable from the environment.
#   EMULATOR=moto (default): start the pinned moto server on 127.0.0.1:${EMULATOR_PORT:-4566}
#            and point the AWS SDK at it.
#   EMULATOR=none: start nothing; use AWS_ENDPOINT_URL (e.g. LocalStack) or, if unset, real AWS
#            with your own credentials.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export EMULATOR=${EMULATOR:-moto}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/practice-exports-target}
if [ "$EMULATOR" = moto ]; then
  export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:${EMULATOR_PORT:-4566}}
  export AWS_REGION=${AWS_REGION:-us-east-1}
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
  export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
fi
