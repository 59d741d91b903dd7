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
