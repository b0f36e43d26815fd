#!/usr/bin/env bash
# Runs one peer in the foreground. Usage: peer.sh ENV_FILE (CORE_* overrides)
set -eu
# shellcheck source=/dev/null
. "$1"
mkdir -p "$CORE_PEER_FILESYSTEMPATH" "$CORE_LEDGER_SNAPSHOTS_ROOTDIR"
exec "$FABRIC_BIN/peer" node start
