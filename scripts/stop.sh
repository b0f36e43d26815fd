#!/usr/bin/env bash
# Stops what `npm start` started: the gateway and device agents, then the network (data kept).
set -eu
cd "$(dirname "$0")/.."
node gateway-app/dist/cli/demo.js down "$@"
node network/dist/cli.js down "$@"
