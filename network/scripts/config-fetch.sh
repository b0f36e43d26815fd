#!/usr/bin/env bash
# Fetches the channel's newest configuration block, as an organisation's admin,
# and decodes it: CONFIG_DIR/config_block.json.
# Environment: the admin CLI variables of network/src/env.ts, plus CONFIG_DIR.
set -eu
mkdir -p "$CONFIG_DIR"
"$FABRIC_BIN/peer" channel fetch config "$CONFIG_DIR/config_block.pb" -c "$CHANNEL" -o "$ORDERER_ADDRESS" \
  --tls --cafile "$ORDERER_TLS_CA" --clientauth --certfile "$CORE_PEER_TLS_CLIENTCERT_FILE" \
  --keyfile "$CORE_PEER_TLS_CLIENTKEY_FILE" 2>/dev/null
"$FABRIC_BIN/configtxlator" proto_decode --input "$CONFIG_DIR/config_block.pb" --type common.Block \
  --output "$CONFIG_DIR/config_block.json"
