import type { PinStatus } from './cluster-client';

/**
 * How well a CID is replicated:
 * - `replicated`: pinned on every peer it is allocated to, and on at least the minimum;
 * - `under-replicated`: pinned on the minimum or more, but an allocated peer lacks it;
 * - `below-minimum`: pinned somewhere, on fewer peers than the minimum;
 * - `missing`: pinned nowhere.
 */
export type ReplicationState = 'replicated' | 'under-replicated' | 'below-minimum' | 'missing';

/** A cluster peer that should hold a CID and does not, and why. */
export interface FailingPeer {
  peerName: string;
  status: string;
  error: string;
}

/** A CID's replication, from its cluster pin status. */
export interface Replication {
  cid: string;
  state: ReplicationState;
  /** Names of the peers whose kubo node has it pinned. */
  pinned: string[];
  failing: FailingPeer[];
}

/** Classifies a pin status against the replication policy. */
export function classifyReplication(status: PinStatus, min: number, max: number): Replication {
  const allocated = new Set(status.allocations);
  const pinned = status.peers.filter((p) => p.status === 'pinned');
  const failing = status.peers
    .filter((p) => allocated.has(p.peerId) && p.status !== 'pinned')
    .map((p) => ({ peerName: p.peerName, status: p.status, error: p.error }));
  const wanted = Math.max(min, Math.min(max, allocated.size));
  const state: ReplicationState =
    pinned.length === 0
      ? 'missing'
      : pinned.length < min
        ? 'below-minimum'
        : pinned.length < wanted || failing.length > 0
          ? 'under-replicated'
          : 'replicated';
  return { cid: status.cid, state, pinned: pinned.map((p) => p.peerName).sort(), failing };
}
