#!/usr/bin/env bash
# Submits one chaincode transaction as an organisation's admin and waits for it to commit.
# Environment: the admin CLI variables of network/src/env.ts, plus CC_NAME, CC_ARGS (the
#   peer CLI's JSON, {"function":...,"Args":[...]}), and PEER_ADDRESSES / PEER_TLS_ROOTS
#   (space-separated endorsing peers, same order).
set -eu
set -- -C "$CHANNEL" -n "$CC_NAME" -c "$CC_ARGS"
read -r -a roots <<<"$PEER_TLS_ROOTS"
i=0
for address in $PEER_ADDRESSES; do
  set -- "$@" --peerAddresses "$address" --tlsRootCertFiles "${roots[$i]}"
  i=$((i + 1))
done
"$FABRIC_BIN/peer" chaincode invoke "$@" -o "$ORDERER_ADDRESS" --tls --cafile "$ORDERER_TLS_CA" \
  --clientauth --certfile "$CORE_PEER_TLS_CLIENTCERT_FILE" --keyfile "$CORE_PEER_TLS_CLIENTKEY_FILE" \
  --waitForEvent 2>&1
