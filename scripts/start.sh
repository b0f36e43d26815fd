#!/usr/bin/env bash
# Quick start: installs what is missing and brings the whole system up: the
# consortium network and its IPFS Cluster, the chaincode, one gateway and one
# device agent per organisation, and demo users of every role. Prints where
# to go. Options go to both steps (for example --base-port 9000).
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh
node network/dist/cli.js up "$@"
node gateway-app/dist/cli/demo.js up "$@"
