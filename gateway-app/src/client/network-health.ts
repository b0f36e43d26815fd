// The answer of `GET /api/operator/health` (http/routes/operator-health.ts), shared by the gateway that
// writes it and the clients that read it. Types only: browser-safe.

/** What a component of the network is. */
export type ComponentKind = 'peer' | 'ca' | 'storage' | 'database';

/** One component's state as the gateway sees it now. */
export interface ComponentHealth {
  kind: ComponentKind;
  /** The peer, CA or cluster peer name; `gateway database` for the database. */
  name: string;
  /** The organisation running it; '' for the gateway's own database or an unknown cluster peer. */
  mspId: string;
  status: 'ok' | 'down';
  /** Why it is down, or what else is worth knowing; '' when there is nothing to say. */
  detail: string;
  /** Storage only: the cluster peer's libp2p id, '' when no cluster peer reported it. */
  peerId?: string;
  /** Storage only: how many pins this cluster peer holds (status `pinned`). */
  pins?: number;
}

/** The network as an operator sees it: every component the gateway depends on. */
export interface NetworkHealth {
  /** When the check ran, ISO 8601 UTC. */
  checkedAt: string;
  /** `ok` when every component is, else `degraded`. */
  status: 'ok' | 'degraded';
  /** How many cluster peers must hold a ciphertext before an upload is acknowledged. */
  replicationMin: number;
  components: ComponentHealth[];
}
