#!/usr/bin/env bash
# The consensus benchmark (npm run bench:consensus [-- --smoke] [-- --out DIR]
# [-- --systems fabric-raft,fabric-bft,eth-ganache,eth-pow] [-- --no-faults]):
# installs what is missing (go-ethereum too), then runs the same workload on
# Fabric Raft, Fabric SmartBFT, Ganache and a proof-of-work chain, injects the
# faults, and writes a markdown report with SVG charts under bench-results/.
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh bench
exec node test/dist/bench/consensus/main.js "$@"
