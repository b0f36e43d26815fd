#!/usr/bin/env bash
# Operator entry point: npm run network:up|down|status [-- options].
# `up` first installs whatever is missing; down and status only need the build.
set -eu
cd "$(dirname "$0")/.."
if [ "${1:-}" = up ] || [ ! -f network/dist/cli.js ]; then
  bash scripts/setup.sh >&2
fi
if [ "${1:-}" = down ] && [ -f gateway-app/dist/cli/demo.js ]; then
  # The gateway and device agents run on the network; stop them first.
  node gateway-app/dist/cli/demo.js "$@"
fi
exec node network/dist/cli.js "$@"
