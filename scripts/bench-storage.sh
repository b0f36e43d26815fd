#!/usr/bin/env bash
# The storage benchmark (npm run bench:storage [-- --quick] [-- --out FILE]):
# installs what is missing, then measures the encrypted store on a fresh private
# IPFS Cluster against a raw `ipfs cat` and the paper's Table 2, checks the
# targets, and writes a markdown table (default docs/benchmarks/storage.md).
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec node gateway-app/dist/bench/storage-bench.js "$@"
