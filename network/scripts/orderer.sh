#!/usr/bin/env bash
# Runs one orderer in the foreground. Usage: orderer.sh ENV_FILE (ORDERER_* overrides)
set -eu
# shellcheck source=/dev/null
. "$1"
mkdir -p "$ORDERER_FILELEDGER_LOCATION" "$ORDERER_CONSENSUS_WALDIR" "$ORDERER_CONSENSUS_SNAPDIR"
exec "$FABRIC_BIN/orderer"
