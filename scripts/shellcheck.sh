#!/usr/bin/env bash
# Runs shellcheck over every shell script in the repository.
set -eu
cd "$(dirname "$0")/.."
files=$( (git ls-files -co --exclude-standard -- '*.sh' .ci/run 2>/dev/null || find . -name '*.sh' -not -path './node_modules/*') | sort -u)
# shellcheck disable=SC2086
shellcheck -x $files
