#!/usr/bin/env bash
# Creates an organisation's kubo repository (empty, "test" profile: loopback
# addresses, no bootstrap peers, no mDNS); storage.ts then writes its settings.
# Environment: KUBO_BIN, IPFS_PATH, SWARM_KEY_FILE
set -eu
export IPFS_PATH
"$KUBO_BIN/ipfs" init --empty-repo --profile test >/dev/null
install -m 600 "$SWARM_KEY_FILE" "$IPFS_PATH/swarm.key"
