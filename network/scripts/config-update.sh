#!/usr/bin/env bash
# Computes the channel config update from CONFIG_DIR/config.json to
# CONFIG_DIR/modified.json, signs it as the organisation's admin (whose Admins
# policy is the mod_policy of its own MSP) and submits it to the ordering service.
# Environment: the admin CLI variables of network/src/env.ts, plus CONFIG_DIR.
set -eu
d=$CONFIG_DIR
tx="$FABRIC_BIN/configtxlator"
"$tx" proto_encode --input "$d/config.json" --type common.Config --output "$d/config.pb"
"$tx" proto_encode --input "$d/modified.json" --type common.Config --output "$d/modified.pb"
"$tx" compute_update --channel_id "$CHANNEL" --original "$d/config.pb" --updated "$d/modified.pb" \
  --output "$d/update.pb"
"$tx" proto_decode --input "$d/update.pb" --type common.ConfigUpdate --output "$d/update.json"
printf '{"payload":{"header":{"channel_header":{"channel_id":"%s","type":2}},"data":{"config_update":%s}}}\n' \
  "$CHANNEL" "$(cat "$d/update.json")" >"$d/envelope.json"
"$tx" proto_encode --input "$d/envelope.json" --type common.Envelope --output "$d/envelope.pb"
"$FABRIC_BIN/peer" channel update -f "$d/envelope.pb" -c "$CHANNEL" -o "$ORDERER_ADDRESS" \
  --tls --cafile "$ORDERER_TLS_CA" --clientauth --certfile "$CORE_PEER_TLS_CLIENTCERT_FILE" \
  --keyfile "$CORE_PEER_TLS_CLIENTKEY_FILE" 2>&1
