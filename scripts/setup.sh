#!/usr/bin/env bash
# Installs what MedShare needs on this machine, skipping what is already there:
# npm packages (from package-lock.json), the pinned Fabric/Fabric CA binaries
# (built with Go into a cache outside the clone), and the TypeScript build.
# With --test-tools it also installs what `npm test` needs: from Debian, shellcheck
# and Chromium for the web UI's end-to-end tests; go-ethereum for the consensus
# benchmark's smoke run.
set -eu
cd "$(dirname "$0")/.."

die() {
  echo "setup: $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || die "Node.js 20.19 or later is required"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' ||
  die "Node.js 20.19 or later (for Vite) is required (found $(node --version))"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || die "npm ci failed"
fi

if [ "${1:-}" = "--test-tools" ]; then
  missing=""
  command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
  [ -x "${MEDSHARE_CHROMIUM:-/usr/bin/chromium}" ] || missing="$missing chromium"
  if [ -n "$missing" ]; then
    echo "Installing$missing (apt)"
    if [ "$(id -u)" = 0 ]; then
      # shellcheck disable=SC2086 # one word per package
      { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing; } >/dev/null 2>&1 ||
        die "apt-get install$missing failed"
    else
      die "missing:$missing; install with: sudo apt-get install$missing"
    fi
  fi
fi

bash scripts/install-binaries.sh
# The consensus benchmark's smoke run (part of npm test) also runs a proof-of-work chain.
if [ "${1:-}" = "--test-tools" ]; then MEDSHARE_ONLY=geth bash scripts/install-binaries.sh; fi
npx --no-install tsc -b || die "TypeScript build failed"
# The web UI is built here, at install time, into gateway-app/web/dist (served by the gateway).
npx --no-install tsc -p gateway-app/web || die "the web UI does not type-check"
npx --no-install vite build gateway-app/web --logLevel warn || die "building the web UI failed"
