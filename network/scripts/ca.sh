#!/usr/bin/env bash
# Runs one organisation's Fabric CA in the foreground.
# Usage: ca.sh ENV_FILE   (FABRIC_CA_SERVER_* overrides; see network/src/env.ts)
set -eu
# shellcheck source=/dev/null
. "$1"
mkdir -p "$FABRIC_CA_SERVER_HOME"
# The bootstrap registrar is only read when the CA initialises its database.
exec "$FABRIC_CA_BIN/fabric-ca-server" start -b "$FABRIC_CA_SERVER_BOOTSTRAP"
