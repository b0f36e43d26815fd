#!/usr/bin/env bash
# Commits the chaincode definition once every organisation has approved it (idempotent).
# Environment: the admin CLI variables of network/src/env.ts, plus
#   CC_NAME CC_VERSION CC_SEQUENCE COLLECTIONS_CONFIG, and PEER_ADDRESSES / PEER_TLS_ROOTS
#   (space-separated, one peer per organisation, same order).
set -eu
if "$FABRIC_BIN/peer" lifecycle chaincode querycommitted -C "$CHANNEL" -n "$CC_NAME" 2>/dev/null |
  grep -q "Sequence: $CC_SEQUENCE,"; then
  exit 0
fi
set -- -C "$CHANNEL" -n "$CC_NAME" -v "$CC_VERSION" --sequence "$CC_SEQUENCE" --collections-config "$COLLECTIONS_CONFIG"
read -r -a roots <<<"$PEER_TLS_ROOTS"
i=0
for address in $PEER_ADDRESSES; do
  set -- "$@" --peerAddresses "$address" --tlsRootCertFiles "${roots[$i]}"
  i=$((i + 1))
done
"$FABRIC_BIN/peer" lifecycle chaincode commit "$@" -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_TLS_CA" \
  --clientauth --certfile "$CORE_PEER_TLS_CLIENTCERT_FILE" --keyfile "$CORE_PEER_TLS_CLIENTKEY_FILE" \
  --waitForEvent
