#!/usr/bin/env bash
# Runs the MedShare gateway in the foreground. Usage: gateway.sh ENV_FILE
# (GATEWAY_* settings, and GATEWAY_SERVER: the built server script).
set -eu
# shellcheck source=/dev/null
. "$1"
exec node "$GATEWAY_SERVER"
