import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { ENVELOPE_PREFIX } from '../envelope/format';
import { validateCid, type ClusterClient, type PinStatus } from './cluster-client';
import { StorageError } from './errors';
import type { KuboClient } from './kubo-client';
import { classifyReplication, type Replication } from './replication';

/** What the store needs: its organisation's cluster peer and kubo node, and the replication policy. */
export interface EncryptedStoreOptions {
  cluster: ClusterClient;
  kubo: KuboClient;
  replicationMin: number;
  replicationMax: number;
  /** How long `put` waits for `replicationMin` peers to hold the content (default 60 s). */
  replicationDeadlineMs?: number;
  /** How often `put` asks the cluster while waiting (default 100 ms). */
  pollIntervalMs?: number;
  /**
   * How long `get` waits for this organisation's cluster peer to learn of a CID its own
   * node lacks before NOT_FOUND (default 30 s: six of the network's 5 s CRDT rebroadcasts; a
   * busy 2-core host was seen to need more than three).
   */
  lookupGraceMs?: number;
}

/** Content the store holds, acknowledged only once pinned on the minimum replication. */
export interface StoredObject {
  cid: string;
  /** Bytes of ciphertext. */
  size: number;
  /** SHA-256 of the ciphertext, lowercase hex: what the ledger records. */
  contentHash: string;
  /** Names of the cluster peers whose kubo node had pinned it when `put` returned. */
  pinnedOn: string[];
}

/** What a fetch must match: the ledger's record of the ciphertext. */
export interface ExpectedContent {
  contentHash: string;
  size?: number;
}

/** What erasing content from storage did: the report the ledger keeps (erasure:CompleteErasure). */
export interface StorageErasure {
  /** Cluster peers that held a pin of the content before. */
  unpinnedFrom: number;
  /** Cluster peer ids whose IPFS node collected garbage afterwards, sorted. */
  collectedOn: string[];
  /** Blocks those nodes removed. */
  blocksRemoved: number;
}

/** How long {@link EncryptedStore.erase} waits for every peer to drop its pin. */
const UNPIN_DEADLINE_MS = 60_000;
/** Garbage-collection rounds of an erasure at most: the first, and two more while blocks keep being removed. */
const GC_ROUNDS = 3;
/** Statuses of a peer that no longer holds a pin. */
const NOT_HELD = new Set(['unpinned', 'remote']);

const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * The encrypted store: ciphertext in, CID out, acknowledged only when the
 * content is pinned on at least the minimum number of cluster peers; fetches
 * stream and are checked against the ledger's hash and size.
 */
export class EncryptedStore {
  readonly #cluster: ClusterClient;
  readonly #kubo: KuboClient;
  readonly #min: number;
  readonly #max: number;
  readonly #deadlineMs: number;
  readonly #pollMs: number;
  readonly #lookupGraceMs: number;

  constructor(options: EncryptedStoreOptions) {
    this.#cluster = options.cluster;
    this.#kubo = options.kubo;
    this.#min = options.replicationMin;
    this.#max = options.replicationMax;
    this.#deadlineMs = options.replicationDeadlineMs ?? 60_000;
    this.#pollMs = options.pollIntervalMs ?? 100;
    this.#lookupGraceMs = options.lookupGraceMs ?? 30_000;
  }

  /**
   * Streams ciphertext in the envelope format into the cluster and resolves
   * once `replicationMin` peers have pinned it. On any failure after the add
   * (the deadline passing, say) the content is unpinned again, so nothing
   * unacknowledged stays behind to be pointed at.
   */
  async put(
    ciphertext: ReadableStream<Uint8Array>,
    options: { signal?: AbortSignal } = {},
  ): Promise<StoredObject> {
    const hash = createHash('sha256');
    let size = 0;
    let refused: StorageError | undefined;
    const prefix = new Uint8Array(ENVELOPE_PREFIX.length);
    const measured = ciphertext.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          for (let i = 0; size + i < prefix.length && i < chunk.length; i++) {
            prefix[size + i] = chunk[i] ?? 0;
            if (prefix[size + i] !== ENVELOPE_PREFIX[size + i]) {
              refused = notAnEnvelope();
              controller.error(refused);
              return;
            }
          }
          hash.update(chunk);
          size += chunk.byteLength;
          controller.enqueue(chunk);
        },
        flush(controller) {
          if (size < ENVELOPE_PREFIX.length) {
            refused = notAnEnvelope();
            controller.error(refused);
          }
        },
      }),
    );
    let cid: string;
    try {
      ({ cid } = await this.#cluster.add(measured, {
        replicationMin: this.#min,
        replicationMax: this.#max,
        ...(options.signal ? { signal: options.signal } : {}),
      }));
    } catch (error) {
      throw refused ?? error;
    }
    try {
      const pinnedOn = await this.#waitForReplication(cid, options.signal);
      return { cid, size, contentHash: hash.digest('hex'), pinnedOn };
    } catch (error) {
      await this.#cluster.unpin(cid).catch(() => undefined);
      throw error;
    }
  }

  /**
   * Streams a ciphertext from this organisation's kubo node. The stream errors
   * with HASH_MISMATCH at its end if the bytes are not the ones the ledger
   * recorded; decrypting segment by segment, a reader never acts on
   * unauthenticated plaintext before that.
   */
  async get(
    cid: string,
    expected: ExpectedContent,
    signal?: AbortSignal,
  ): Promise<ReadableStream<Uint8Array>> {
    validateCid(cid);
    if (!HEX_64.test(expected.contentHash)) {
      throw new StorageError('INVALID_ARGUMENT', 'the expected content hash must be 64 lowercase hex digits');
    }
    // Fast path: pinned on this organisation's node, so every block is local. Otherwise the
    // cluster must know it: peers learn of a new pin a moment after it is acknowledged.
    if (!(await this.#kubo.isPinned(cid, signal))) {
      await this.#awaitPinnedSomewhere(cid, signal);
    }
    const body = await this.#kubo.cat(cid, signal);
    const hash = createHash('sha256');
    let size = 0;
    return body.pipeThrough(
      new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          size += chunk.byteLength;
          if (expected.size !== undefined && size > expected.size) {
            controller.error(mismatch(cid, 'is longer than the ledger records'));
            return;
          }
          hash.update(chunk);
          controller.enqueue(chunk);
        },
        flush(controller) {
          if (expected.size !== undefined && size !== expected.size) {
            controller.error(mismatch(cid, 'is shorter than the ledger records'));
          } else if (hash.digest('hex') !== expected.contentHash) {
            controller.error(mismatch(cid, 'does not have the SHA-256 the ledger records'));
          }
        },
      }),
    );
  }

  /** Unpins content cluster-wide (on erasure); unknown content is not an error. */
  async remove(cid: string, signal?: AbortSignal): Promise<void> {
    await this.#cluster.unpin(cid, signal);
  }

  /**
   * Erases content from every storage node: unpins it cluster-wide, waits
   * until no peer holds a pin, then garbage-collects the IPFS node of every
   * cluster peer (again, until a round removes nothing, since a cancelled
   * replica fetch may land blocks after the first), so that no node keeps a
   * block of it. Idempotent.
   *
   * @throws {@link StorageError} `UNAVAILABLE` when a peer still holds a pin
   * after a minute or could not collect: the content may remain there, and the
   * erasure is not complete (the caller tries again later).
   */
  async erase(cid: string, signal?: AbortSignal): Promise<StorageErasure> {
    validateCid(cid);
    const before = await this.#cluster.status(cid, signal);
    const unpinnedFrom = before.peers.filter((p) => !NOT_HELD.has(p.status)).length;
    await this.#cluster.unpin(cid, signal);
    const deadline = Date.now() + UNPIN_DEADLINE_MS;
    for (;;) {
      const holding = (await this.#cluster.status(cid, signal)).peers.filter((p) => !NOT_HELD.has(p.status));
      if (holding.length === 0) break;
      if (Date.now() > deadline) {
        throw new StorageError('UNAVAILABLE', 'cluster peers still hold a pin of the content', {
          details: { cid, peers: holding.map((p) => `${p.peerName} (${p.status})`) },
        });
      }
      await sleep(this.#pollMs * 5, undefined, signal ? { signal } : {});
    }
    // A peer's IPFS node may still be writing blocks of a pin the cluster has just cancelled (a replica
    // fetch in flight): collected again until a round removes nothing, at most GC_ROUNDS times.
    let collectedOn: string[] = [];
    let blocksRemoved = 0;
    for (let round = 1; round <= GC_ROUNDS; round++) {
      const collected = await this.#cluster.gc(signal);
      const failed = collected.filter((p) => p.error !== '');
      if (collected.length === 0 || failed.length > 0) {
        throw new StorageError('UNAVAILABLE', 'not every storage node could collect garbage', {
          details: { cid, peers: failed.map((p) => `${p.peerName}: ${p.error}`) },
        });
      }
      collectedOn = collected.map((p) => p.peerId).sort();
      const removed = collected.reduce((sum, p) => sum + p.removed, 0);
      blocksRemoved += removed;
      if (removed === 0) break;
      if (round < GC_ROUNDS) await sleep(this.#pollMs * 5, undefined, signal ? { signal } : {});
    }
    return { unpinnedFrom, collectedOn, blocksRemoved };
  }

  /** How well a CID is replicated now. */
  async replication(cid: string, signal?: AbortSignal): Promise<Replication> {
    return classifyReplication(await this.#cluster.status(cid, signal), this.#min, this.#max);
  }

  /** Asks the cluster to retry pinning a CID on every peer it is allocated to. */
  async repair(cid: string, signal?: AbortSignal): Promise<Replication> {
    return classifyReplication(await this.#cluster.recover(cid, signal), this.#min, this.#max);
  }

  /** The status of every pin in the cluster. */
  async allPins(signal?: AbortSignal): Promise<PinStatus[]> {
    return this.#cluster.statusAll(signal);
  }

  async #awaitPinnedSomewhere(cid: string, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + this.#lookupGraceMs;
    for (;;) {
      const status = await this.#cluster.status(cid, signal);
      if (classifyReplication(status, this.#min, this.#max).pinned.length > 0) return;
      if (Date.now() > deadline) {
        throw status.allocations.length === 0
          ? new StorageError('NOT_FOUND', 'the CID is not pinned in the cluster', { details: { cid } })
          : new StorageError('UNAVAILABLE', 'no cluster peer holding the CID is reachable', {
              details: { cid },
            });
      }
      await sleep(this.#pollMs);
    }
  }

  async #waitForReplication(cid: string, signal?: AbortSignal): Promise<string[]> {
    const deadline = Date.now() + this.#deadlineMs;
    let last: Replication | undefined;
    for (;;) {
      signal?.throwIfAborted();
      last = classifyReplication(await this.#cluster.status(cid, signal), this.#min, this.#max);
      if (last.pinned.length >= this.#min) return last.pinned;
      if (Date.now() > deadline) {
        throw new StorageError(
          'REPLICATION_TIMEOUT',
          `the content was pinned on ${last.pinned.length} of the ${this.#min} peers required within ${this.#deadlineMs / 1000} s; it was not stored`,
          { details: { cid, pinned: last.pinned, failing: last.failing } },
        );
      }
      await sleep(this.#pollMs);
    }
  }
}

function notAnEnvelope(): StorageError {
  return new StorageError(
    'INVALID_ARGUMENT',
    'only ciphertext in the MedShare envelope format may be stored',
  );
}

function mismatch(cid: string, what: string): StorageError {
  return new StorageError('HASH_MISMATCH', `the content fetched for ${cid} ${what}`, { details: { cid } });
}
