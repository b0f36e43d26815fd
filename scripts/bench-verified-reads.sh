#!/usr/bin/env bash
# The cost of verified answers (npm run bench:verified-reads [-- --calls N] [-- --smoke] [-- --out DIR]):
# installs what is missing, starts a Raft network and a gateway, and measures
# today's evaluate against reads endorsed by peers and checked on the device,
# side by side; writes a markdown report under bench-results/.
set -eu
cd "$(dirname "$0")/.."
bash scripts/setup.sh bench
exec node test/dist/bench/verified-reads/main.js "$@"
