#!/usr/bin/env bash
# Installs what MedShare needs on this machine, skipping what is already there:
# npm packages (from package-lock.json), the pinned Fabric/Fabric CA binaries
# (built with Go into a cache outside the clone), and the TypeScript build.
# With --lint-tools it also installs shellcheck (Debian package) for `npm test`.
set -eu
cd "$(dirname "$0")/.."

die() {
  echo "setup: $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || die "Node.js 20.9 or later is required"
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=9)?0:1)' ||
  die "Node.js 20.9 or later is required (found $(node --version))"

if [ ! -f node_modules/.package-lock.json ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "Installing npm packages (npm ci)"
  npm ci --no-audit --no-fund --loglevel=error >/dev/null || die "npm ci failed"
fi

if [ "${1:-}" = "--lint-tools" ] && ! command -v shellcheck >/dev/null 2>&1; then
  echo "Installing shellcheck (apt)"
  if [ "$(id -u)" = 0 ]; then
    { apt-get update -qq && apt-get install -y -qq shellcheck; } >/dev/null 2>&1 || die "apt-get install shellcheck failed"
  else
    die "shellcheck is missing; install it (Debian: sudo apt-get install shellcheck)"
  fi
fi

bash scripts/install-binaries.sh
npx --no-install tsc -b || die "TypeScript build failed"
