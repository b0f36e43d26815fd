#!/usr/bin/env bash
# Runs one organisation's IPFS Cluster peer in the foreground.
# Usage: cluster.sh ENV_FILE (IPFS_CLUSTER_BIN, IPFS_CLUSTER_PATH)
set -eu
# shellcheck source=/dev/null
. "$1"
export LIBP2P_FORCE_PNET=1
exec "$IPFS_CLUSTER_BIN/ipfs-cluster-service" --config "$IPFS_CLUSTER_PATH" daemon
