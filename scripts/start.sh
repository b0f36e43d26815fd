#!/usr/bin/env bash
# Quick start: installs what is missing and brings the whole system up.
# Options are passed to `network up` (for example --base-port 9000).
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node network/dist/cli.js up "$@"
echo
echo "The consortium network is running. Stop it with: npm run network:down"
