#!/usr/bin/env bash
# Approves the chaincode definition for one organisation (idempotent).
# Environment: the admin CLI variables of network/src/env.ts, plus
#   CC_NAME CC_VERSION CC_SEQUENCE PACKAGE_ID COLLECTIONS_CONFIG
set -eu
set -- -C "$CHANNEL" -n "$CC_NAME"
if "$FABRIC_BIN/peer" lifecycle chaincode queryapproved "$@" --sequence "$CC_SEQUENCE" >/dev/null 2>&1; then
  exit 0
fi
"$FABRIC_BIN/peer" lifecycle chaincode approveformyorg "$@" -v "$CC_VERSION" --sequence "$CC_SEQUENCE" \
  --package-id "$PACKAGE_ID" --collections-config "$COLLECTIONS_CONFIG" -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_TLS_CA" \
  --clientauth --certfile "$CORE_PEER_TLS_CLIENTCERT_FILE" --keyfile "$CORE_PEER_TLS_CLIENTKEY_FILE" \
  --waitForEvent
