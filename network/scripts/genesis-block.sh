#!/usr/bin/env bash
# Writes the application channel's genesis block from the generated configtx.yaml.
# Environment: FABRIC_BIN CONFIGTX_DIR CHANNEL GENESIS_BLOCK
set -eu
[ ! -f "$GENESIS_BLOCK" ] || exit 0
mkdir -p "$(dirname "$GENESIS_BLOCK")"
FABRIC_CFG_PATH="$CONFIGTX_DIR" "$FABRIC_BIN/configtxgen" -profile MedShareChannel \
  -channelID "$CHANNEL" -outputBlock "$GENESIS_BLOCK.tmp" 2>&1 | grep -v -E 'INFO|^$' >&2 || true
[ -s "$GENESIS_BLOCK.tmp" ] || {
  echo "configtxgen wrote no block" >&2
  exit 1
}
mv "$GENESIS_BLOCK.tmp" "$GENESIS_BLOCK"
