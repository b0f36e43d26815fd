#!/usr/bin/env bash
# Installs what MedShare needs on this machine, skipping what is already there.
#
#   setup.sh [start]  what `npm start` runs: the npm packages of chaincode/, network/
#                     and gateway-app/ (their build tools included, no test or
#                     benchmark tools), the pinned Fabric, Fabric CA, kubo and IPFS
#                     Cluster binaries (built with Go into a cache outside the clone),
#                     the TypeScript build of those three, and the web UI.
#   setup.sh bench    also the test/ workspace (ethers, ganache, solc, ...), the root's
#                     lint tools, go-ethereum, and the build of test/ (the benchmarks).
#   setup.sh test     what `npm test` runs: bench, plus shellcheck and Chromium from Debian.
#
# Each missing prerequisite (Node.js, Go, an apt package) is one line naming it and
# how to get it, and exit status 1.
set -eu
cd "$(dirname "$0")/.."
PREREQ_WHO=setup
# shellcheck source=scripts/lib/prereqs.sh
. scripts/lib/prereqs.sh

die() {
  prereq_fail "$@"
}

profile=${1:-start}
case "$profile" in
  start | bench | test) ;;
  *) die "unknown profile '$profile' (start, bench or test)" ;;
esac

prereq_node 20.19

# npm packages. The stamp records which set was installed from which manifests, so a
# changed lockfile or a wider set reinstalls, and `start` after `test` installs nothing.
npm_set=all
[ "$profile" = start ] && npm_set=runtime
stamp_file=node_modules/.medshare-install
manifests=$(cat package-lock.json package.json chaincode/package.json network/package.json gateway-app/package.json test/package.json | sha256sum | cut -c1-16)
installed=$(cat "$stamp_file" 2>/dev/null || true)
if [ "$installed" != "$npm_set $manifests" ] && [ "$installed" != "all $manifests" ]; then
  echo "Installing npm packages (npm ci, $npm_set)"
  npm_log=$(mktemp)
  if [ "$npm_set" = runtime ]; then
    npm_args="--workspace chaincode --workspace network --workspace gateway-app"
  else
    npm_args=""
  fi
  # shellcheck disable=SC2086 # one word per argument
  if ! npm ci $npm_args --no-audit --no-fund --loglevel=error >"$npm_log" 2>&1; then
    why=$(grep -m 1 -i 'npm error' "$npm_log" || tail -n 1 "$npm_log")
    rm -f "$npm_log"
    die "npm ci failed (${why:-no message}); the npm registry must be reachable"
  fi
  rm -f "$npm_log"
  echo "$npm_set $manifests" >"$stamp_file"
fi

[ "$profile" = test ] && bash scripts/install-test-tools.sh

bash scripts/install-binaries.sh
# The consensus benchmark (and its smoke run in npm test) also runs a proof-of-work chain.
[ "$profile" = start ] || MEDSHARE_ONLY=geth bash scripts/install-binaries.sh

if [ "$profile" = start ]; then
  npx --no-install tsc -b chaincode network gateway-app || die "the TypeScript build failed"
else
  npx --no-install tsc -b || die "the TypeScript build failed"
fi
# The web UI is built here, at install time, into gateway-app/web/dist (served by the gateway).
npx --no-install tsc -p gateway-app/web || die "the web UI does not type-check"
npx --no-install vite build gateway-app/web --logLevel warn || die "building the web UI failed"
