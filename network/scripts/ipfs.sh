#!/usr/bin/env bash
# Runs one organisation's kubo daemon in the foreground, in the consortium's
# private swarm only. Usage: ipfs.sh ENV_FILE (KUBO_BIN, IPFS_PATH)
set -eu
# shellcheck source=/dev/null
. "$1"
export IPFS_PATH
# Refuse to start without the swarm key rather than join the public network.
export LIBP2P_FORCE_PNET=1
# Nothing leaves loopback: no usage telemetry either (also off in the repository's config).
export IPFS_TELEMETRY=off
exec "$KUBO_BIN/ipfs" daemon --migrate=false
