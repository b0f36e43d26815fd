#!/usr/bin/env bash
# Installs a chaincode package on one peer (idempotent) and prints its package ID.
# Environment: the admin CLI variables of network/src/env.ts, plus PKG_FILE.
set -eu
id=$("$FABRIC_BIN/peer" lifecycle chaincode calculatepackageid "$PKG_FILE")
if ! "$FABRIC_BIN/peer" lifecycle chaincode queryinstalled 2>/dev/null | grep -q "Package ID: $id,"; then
  "$FABRIC_BIN/peer" lifecycle chaincode install "$PKG_FILE" >&2
fi
echo "$id"
