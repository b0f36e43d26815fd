#!/usr/bin/env bash
# The test command (npm test): installs what is missing, then lint and type
# checks, unit tests, and integration tests on real Fabric networks.
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
echo "== lint and type checks (eslint, prettier, shellcheck, the web UI's tsc)"
npx --no-install tsc -p gateway-app/web
npx --no-install eslint .
npx --no-install prettier --check --log-level warn .
bash scripts/shellcheck.sh
echo "== unit tests"
node --test --test-reporter=spec network/dist chaincode/dist gateway-app/dist
echo "== integration and end-to-end tests (real Fabric networks, IPFS Cluster, Chromium)"
node --test --test-reporter=spec --test-concurrency=1 test/dist
