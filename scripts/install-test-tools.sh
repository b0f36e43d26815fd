#!/usr/bin/env bash
# What `npm test` needs from Debian besides npm packages: shellcheck (for
# scripts/shellcheck.sh), Chromium (the web UI's end-to-end tests, driven by
# playwright-core), and the DICOM encoders and decoders the viewer's codecs are
# checked against: dcmtk, GDCM's tools and OpenJPH's. Installs what is missing
# with apt-get, as root; otherwise, or when apt fails, says in one line what is
# missing and how to get it.
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
for command in dcmconv dcmcjpeg dcmcjpls dcmcrle dcmj2pnm dcml2pnm storescu storescp; do
  command -v "$command" >/dev/null 2>&1 || { missing="$missing dcmtk"; break; }
done
command -v gdcmconv >/dev/null 2>&1 || missing="$missing libgdcm-tools"
command -v ojph_compress >/dev/null 2>&1 || missing="$missing openjph-tools"
[ -n "$missing" ] || exit 0

# shellcheck disable=SC2086 # one word per package
prereq_apt $missing
[ -x "$chromium" ] ||
  prereq_fail "MEDSHARE_CHROMIUM=$chromium is not an executable: point it at a Chromium binary, or unset it to use Debian's chromium"
