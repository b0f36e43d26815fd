#!/usr/bin/env bash
# Runs a device agent in the foreground. Usage: device-agent.sh ENV_FILE
# (DEVICE_AGENT_CLI, DEVICE_KEY_DIR, DEVICE_AGENT_PORT, DEVICE_AGENT_ORIGIN).
set -eu
# shellcheck source=/dev/null
. "$1"
exec node "$DEVICE_AGENT_CLI" serve --key-dir "$DEVICE_KEY_DIR" --port "$DEVICE_AGENT_PORT" \
  --allow-origin "$DEVICE_AGENT_ORIGIN" --log-level info
