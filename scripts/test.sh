#!/usr/bin/env bash
# The test command (npm test): installs what is missing, then lint and type
# checks, unit tests, and integration tests on real Fabric networks.
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh --lint-tools
echo "== lint (eslint, prettier, shellcheck)"
npx --no-install eslint .
npx --no-install prettier --check --log-level warn .
bash scripts/shellcheck.sh
echo "== unit tests"
node --test --test-reporter=spec network/dist chaincode/dist gateway-app/dist
echo "== integration tests (real Fabric networks)"
node --test --test-reporter=spec --test-concurrency=1 test/dist
