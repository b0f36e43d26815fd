#!/usr/bin/env bash
# Joins one orderer to the channel through the channel participation API (idempotent).
# Environment: FABRIC_BIN OSN_ADMIN_ADDRESS OSN_TLS_CA OSN_CLIENT_CERT OSN_CLIENT_KEY CHANNEL GENESIS_BLOCK
set -eu
set -- -o "$OSN_ADMIN_ADDRESS" --ca-file "$OSN_TLS_CA" --client-cert "$OSN_CLIENT_CERT" --client-key "$OSN_CLIENT_KEY"
if "$FABRIC_BIN/osnadmin" channel list "$@" 2>/dev/null | grep -q "\"$CHANNEL\""; then
  exit 0
fi
out=$("$FABRIC_BIN/osnadmin" channel join --channelID "$CHANNEL" --config-block "$GENESIS_BLOCK" "$@" 2>&1)
case "$out" in
  *"Status: 201"*) ;;
  *)
    echo "$out" >&2
    exit 1
    ;;
esac
