#!/usr/bin/env bash
# Joins one peer to the channel as its organisation's admin (idempotent).
# Environment: the admin CLI variables of network/src/env.ts, plus GENESIS_BLOCK.
set -eu
if "$FABRIC_BIN/peer" channel list 2>/dev/null | grep -qx "$CHANNEL"; then
  exit 0
fi
"$FABRIC_BIN/peer" channel join -b "$GENESIS_BLOCK"
