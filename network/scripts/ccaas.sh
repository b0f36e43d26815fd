#!/usr/bin/env bash
# Runs one organisation's chaincode server (fabric-shim server mode, mutual TLS)
# in the foreground. Usage: ccaas.sh ENV_FILE
set -eu
# shellcheck source=/dev/null
. "$1"
cd "$CHAINCODE_DIR"
exec node "$CHAINCODE_CLI" server \
  --chaincode-address "$CHAINCODE_SERVER_ADDRESS" \
  --chaincode-id "$CHAINCODE_ID" \
  --chaincode-tls-cert-file "$CHAINCODE_TLS_CERT_FILE" \
  --chaincode-tls-key-file "$CHAINCODE_TLS_KEY_FILE" \
  --chaincode-tls-client-cacert-file "$CHAINCODE_TLS_CLIENT_CA_FILE" \
  --module-path "$CHAINCODE_DIR"
