#!/usr/bin/env bash
# Prints the channel's block height on one peer (CORE_PEER_ADDRESS), asked as an organisation's admin.
# Environment: the admin CLI variables of network/src/env.ts.
set -eu
info=$("$FABRIC_BIN/peer" channel getinfo -c "$CHANNEL" 2>/dev/null)
height=${info#*\"height\":}
echo "${height%%,*}"
