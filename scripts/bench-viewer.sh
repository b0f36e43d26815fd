#!/usr/bin/env bash
# The viewer benchmark (npm run bench:viewer [-- --quick] [-- --out FILE]):
# installs what is missing, then times in Chromium the opening of a 500-slice CT
# and a 1 GB study sent over a fresh network: the first image and the whole
# study; writes a markdown report (default docs/benchmarks/viewer.md).
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh test
exec node test/dist/bench/viewer/main.js "$@"
