# Sourced by the scripts: the local defaults, each overridable from the environment.
#   EMULATOR=moto (default): start the pinned moto server on 127.0.0.1:${EMULATOR_PORT:-4566}
#            and point the AWS SDK at it.
#   EMULATOR=localstack: start LocalStack on 127.0.0.1:${LOCALSTACK_PORT:-4567} for S3, SQS, SES
#            and KMS, and moto on 127.0.0.1:${EMULATOR_PORT:-4566} for DynamoDB; point the SDK at
#            LocalStack, DynamoDB (AWS_ENDPOINT_URL_DYNAMODB) at moto.
#   EMULATOR=none: start nothing; use AWS_ENDPOINT_URL or, if unset, real AWS with your own
#            credentials.
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export EMULATOR=${EMULATOR:-moto}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/var/tmp/practice-exports-target}
case "$EMULATOR" in
  moto)
    export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:${EMULATOR_PORT:-4566}} ;;
  localstack)
    export AWS_ENDPOINT_URL=${AWS_ENDPOINT_URL:-http://127.0.0.1:${LOCALSTACK_PORT:-4567}}
    export AWS_ENDPOINT_URL_DYNAMODB=${AWS_ENDPOINT_URL_DYNAMODB:-http://127.0.0.1:${EMULATOR_PORT:-4566}} ;;
  none) ;;
  *) echo "EMULATOR=$EMULATOR: expected moto, localstack or none" >&2; exit 2 ;;
esac
if [ "$EMULATOR" != none ]; then
  export AWS_REGION=${AWS_REGION:-us-east-1}
  export AWS_ACCESS_KEY_ID=${AWS_ACCESS_KEY_ID:-test}
  export AWS_SECRET_ACCESS_KEY=${AWS_SECRET_ACCESS_KEY:-test}
fi

# emulator_up: start the servers of this profile that are not running (scripts/emulator.sh);
# emulator_down: stop again those emulator_up started, leaving any that were already running (e.g.
# the demo's moto). For scripts that bring the emulator up for their own run only.
EMULATOR_STARTED=()
emulator_up() {
  local servers=() server
  case "$EMULATOR" in
    moto) servers=(moto) ;;
    localstack) servers=(moto localstack) ;;
  esac
  for server in "${servers[@]}"; do
    "$ROOT/scripts/emulator.sh" status "$server" >/dev/null 2>&1 || EMULATOR_STARTED+=("$server")
  done
  if [ ${#EMULATOR_STARTED[@]} -gt 0 ]; then "$ROOT/scripts/emulator.sh" start; fi
}
emulator_down() {
  local server
  for server in "${EMULATOR_STARTED[@]}"; do "$ROOT/scripts/emulator.sh" stop "$server"; done
  EMULATOR_STARTED=()
}
