#!/usr/bin/env bash
# Succeeds once a peer's discovery service can name endorsers that satisfy the
# chaincode's endorsement policy, i.e. gossip has spread membership and the
# chaincode's installation across organisations. The caller retries it.
# Environment: the admin CLI variables of network/src/env.ts, plus CC_NAME and USER_KEY, USER_CERT.
set -eu
out=$("$FABRIC_BIN/discover" --peerTLSCA "$CORE_PEER_TLS_ROOTCERT_FILE" \
  --tlsCert "$CORE_PEER_TLS_CLIENTCERT_FILE" --tlsKey "$CORE_PEER_TLS_CLIENTKEY_FILE" \
  --userKey "$USER_KEY" --userCert "$USER_CERT" --MSP "$CORE_PEER_LOCALMSPID" \
  endorsers --channel "$CHANNEL" --chaincode "$CC_NAME" --server "$CORE_PEER_ADDRESS" 2>&1) || {
  echo "$out" >&2
  exit 1
}
case "$out" in
  *Layouts*) ;;
  *)
    echo "$out" >&2
    exit 1
    ;;
esac
