#!/usr/bin/env bash
# What `npm test` needs from Debian besides npm packages: shellcheck (for
# scripts/shellcheck.sh) and Chromium (the web UI's end-to-end tests, driven by
# playwright-core). Installs what is missing with apt-get, as root; otherwise, or
# when apt fails, says in one line what is missing and how to get it.
#
# Environment overrides:
#   MEDSHARE_CHROMIUM  the Chromium binary the tests run (default: chromium on PATH, /usr/bin/chromium)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
PREREQ_WHO=install-test-tools
# shellcheck source=scripts/lib/prereqs.sh
. "$here/lib/prereqs.sh"

chromium=${MEDSHARE_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}
missing=""
command -v shellcheck >/dev/null 2>&1 || missing="$missing shellcheck"
[ -x "$chromium" ] || missing="$missing chromium"
[ -n "$missing" ] || exit 0

# shellcheck disable=SC2086 # one word per package
prereq_apt $missing
[ -x "$chromium" ] ||
  prereq_fail "MEDSHARE_CHROMIUM=$chromium is not an executable: point it at a Chromium binary, or unset it to use Debian's chromium"
