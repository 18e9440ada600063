#!/usr/bin/env bash
# Start LocalStack's IAM without Docker ("host mode") on 127.0.0.1:${PORT:-4566}, for machines with no Docker engine.
# Usually you run its Docker image instead:  docker run --rm -p 4566:4566 localstack/localstack
# Needs a venv with: localstack-core[runtime]==2026.3.0 "cbor2<6" "pyopenssl==25.3.0" (Python 3.13).
set -euo pipefail
VENV=${LOCALSTACK_VENV:?set LOCALSTACK_VENV to the venv holding localstack-core}
PORT=${PORT:-4566}
ROOT=$(mktemp -d)
export OVERRIDE_IN_DOCKER=0 FILESYSTEM_ROOT="$ROOT" GATEWAY_LISTEN="127.0.0.1:$PORT" GATEWAY_SERVER=hypercorn \
       LOCALSTACK_HOST="127.0.0.1:$PORT" SERVICES=iam EAGER_SERVICE_LOADING=1 DISABLE_EVENTS=1 DNS_ADDRESS=0 \
       SKIP_SSL_CERT_DOWNLOAD=1
exec "$VENV/bin/python" -m localstack.runtime.main
