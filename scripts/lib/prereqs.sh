# shellcheck shell=bash
# Checks for what MedShare's install steps need from the machine. Each failure is
# one line on stderr that names what is missing and how to get it, then exit 1.
# Sourced by scripts/setup.sh, scripts/install-binaries.sh and
# scripts/install-test-tools.sh; the caller sets PREREQ_WHO (the line's prefix).

prereq_fail() {
  echo "${PREREQ_WHO:-setup}: $*" >&2
  exit 1
}

# version_at_least HAVE WANT: true when dotted version HAVE >= WANT.
version_at_least() {
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n 1)" = "$2" ]
}

# prereq_node MIN: Node.js MIN or later is on PATH.
prereq_node() {
  command -v node >/dev/null 2>&1 ||
    prereq_fail "Node.js $1 or later is required and none is on PATH: install a current Node.js LTS (https://nodejs.org/en/download), then run this again"
  found=$(node --version 2>/dev/null || true)
  have=$(echo "$found" | sed -n 's/^v\([0-9][0-9.]*\).*/\1/p')
  if [ -z "$have" ] || ! version_at_least "$have" "$1"; then
    prereq_fail "Node.js $1 or later is required (found ${found:-a node that does not say its version}): install a current Node.js LTS (https://nodejs.org/en/download), then run this again"
  fi
}

# prereq_go MIN WHAT: Go MIN or later (the toolchain `go` runs, GOTOOLCHAIN honoured), needed for WHAT.
prereq_go() {
  how="install Go $1 or later (https://go.dev/doc/install), or with Go 1.21 or later set GOTOOLCHAIN=go$1 to have go fetch it, then run this again"
  command -v go >/dev/null 2>&1 || prereq_fail "Go $1 or later is required to build $2 and none is on PATH: $how"
  found=$( (cd / && go env GOVERSION) 2>/dev/null || true)
  have=$(echo "$found" | sed -n 's/^go\([0-9][0-9.]*\).*/\1/p')
  if [ -z "$have" ] || ! version_at_least "$have" "$1"; then
    prereq_fail "Go $1 or later is required to build $2 (found ${found:-a go that does not say its version}): $how"
  fi
}

# prereq_apt PACKAGE...: installs Debian packages, as root; otherwise says how.
prereq_apt() {
  if [ "$(id -u)" != 0 ]; then
    prereq_fail "missing $*: install with: sudo apt-get install $*, then run this again"
  fi
  echo "Installing $* (apt)"
  log=$(mktemp)
  if ! { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; } >"$log" 2>&1; then
    why=$(grep -m 1 '^E:' "$log" || tail -n 1 "$log")
    rm -f "$log"
    prereq_fail "apt-get could not install $* (${why:-no message}): install them with your package manager, then run this again"
  fi
  rm -f "$log"
}
