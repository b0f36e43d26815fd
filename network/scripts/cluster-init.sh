#!/usr/bin/env bash
# Creates an organisation's IPFS Cluster peer configuration (CRDT consensus);
# storage.ts then writes its settings.
# Environment: IPFS_CLUSTER_BIN, IPFS_CLUSTER_PATH
set -eu
"$IPFS_CLUSTER_BIN/ipfs-cluster-service" --config "$IPFS_CLUSTER_PATH" init --consensus crdt >/dev/null 2>&1
chmod 600 "$IPFS_CLUSTER_PATH/service.json" "$IPFS_CLUSTER_PATH/identity.json"
