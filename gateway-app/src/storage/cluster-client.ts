import { randomBytes } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { StorageError } from './errors';

/** Where a cluster peer's REST API is and the basic-auth credentials it takes. */
export interface ClusterClientOptions {
  url: string;
  username: string;
  password: string;
  /** Deadline of every call but `add`, in milliseconds (default 10 s). */
  timeoutMs?: number;
  /** Deadline of an `add`, which streams the whole content (default 30 min). */
  addTimeoutMs?: number;
}

/** One cluster peer's view of a pin, as the REST API reports it. */
export interface PeerPinStatus {
  peerId: string;
  peerName: string;
  /** `pinned`, `pinning`, `pin_queued`, `pin_error`, `cluster_error`, `unpinned`, `remote`, ... */
  status: string;
  error: string;
}

/** A CID's pin status across the cluster. */
export interface PinStatus {
  cid: string;
  /** Peers the cluster allocated the pin to (empty when it is not pinned at all). */
  allocations: string[];
  peers: PeerPinStatus[];
}

/** A cluster peer as `GET /peers` lists it. */
export interface ClusterPeer {
  id: string;
  peerName: string;
  error: string;
}

/** One peer's part of a cluster-wide garbage collection (`POST /ipfs/gc`). */
export interface PeerGc {
  peerId: string;
  peerName: string;
  /** Blocks its IPFS node removed. */
  removed: number;
  /** Why the peer could not collect, '' when it did. */
  error: string;
}

/** Options of {@link ClusterClient.add}. */
export interface AddOptions {
  replicationMin: number;
  replicationMax: number;
  /** Pin name; operators see it, so never a personal identifier. */
  name?: string;
  signal?: AbortSignal;
}

const CID_V1 = /^b[a-z2-7]{50,100}$/;
const CID_V0 = /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/;
// Larger than kubo's 256 KiB default: 4 times fewer blocks to add, pin and fetch.
const CHUNKER = 'size-1048576';

/** Throws INVALID_ARGUMENT unless `cid` is a CIDv0 or a base32 CIDv1. */
export function validateCid(cid: string): string {
  if (!CID_V1.test(cid) && !CID_V0.test(cid)) {
    throw new StorageError('INVALID_ARGUMENT', 'not an IPFS CID (v0, or v1 in base32)');
  }
  return cid;
}

interface RawPinInfo {
  cid: string;
  allocations?: string[] | null;
  peer_map?: Record<string, { peername?: string; status?: string; error?: string }> | null;
}

function toPinStatus(raw: RawPinInfo): PinStatus {
  return {
    cid: raw.cid,
    allocations: raw.allocations ?? [],
    peers: Object.entries(raw.peer_map ?? {}).map(([peerId, p]) => ({
      peerId,
      peerName: p.peername ?? '',
      status: p.status ?? 'undefined',
      error: p.error ?? '',
    })),
  };
}

/**
 * A small typed client of the IPFS Cluster REST API (v1), for the endpoints the
 * encrypted store uses: add, pin status, recover, unpin and peers. The npm
 * package ipfs-cluster-api (0.0.9) does not load (it requires modules it does
 * not declare) and buffers uploads, so it is not used.
 */
export class ClusterClient {
  readonly #url: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  readonly #addTimeoutMs: number;

  constructor(options: ClusterClientOptions) {
    this.#url = options.url.replace(/\/+$/, '');
    this.#authorization = `Basic ${Buffer.from(`${options.username}:${options.password}`).toString('base64')}`;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#addTimeoutMs = options.addTimeoutMs ?? 30 * 60_000;
  }

  /**
   * Adds `content` (streamed as multipart, never buffered) as a CIDv1 UnixFS
   * file with raw leaves, allocated to between `replicationMin` and
   * `replicationMax` peers. Resolves once the cluster has accepted the pin,
   * which is before the peers' kubo nodes hold the data.
   */
  async add(
    content: ReadableStream<Uint8Array>,
    options: AddOptions,
  ): Promise<{ cid: string; size: number }> {
    const boundary = `medshare-${randomBytes(16).toString('hex')}`;
    const head = new TextEncoder().encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="content"\r\n` +
        `Content-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = new TextEncoder().encode(`\r\n--${boundary}--\r\n`);
    const reader = content.getReader();
    let sentHead = false;
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (!sentHead) {
          sentHead = true;
          controller.enqueue(head);
          return;
        }
        const { done, value } = await reader.read();
        if (done) {
          controller.enqueue(tail);
          controller.close();
        } else {
          controller.enqueue(value);
        }
      },
      async cancel(reason) {
        // The source may already have failed (its error is reported by the upload): nothing more to do.
        await reader.cancel(reason).catch(() => undefined);
      },
    });
    const query = new URLSearchParams({
      'cid-version': '1',
      'raw-leaves': 'true',
      chunker: CHUNKER,
      format: 'unixfs',
      local: 'false',
      'stream-channels': 'false',
      'replication-min': String(options.replicationMin),
      'replication-max': String(options.replicationMax),
      ...(options.name ? { name: options.name } : {}),
    });
    const text = await this.#upload(
      `/add?${query.toString()}`,
      body,
      `multipart/form-data; boundary=${boundary}`,
      options.signal,
    );
    const added = JSON.parse(text) as { cid?: string; size?: number }[];
    const root = added.at(-1);
    if (!root?.cid) {
      throw new StorageError('UNAVAILABLE', 'the cluster answered an add without a CID');
    }
    return { cid: root.cid, size: root.size ?? 0 };
  }

  /** The CID's status on every cluster peer (all `unpinned` when the cluster does not track it). */
  async status(cid: string, signal?: AbortSignal): Promise<PinStatus> {
    const response = await this.#request('GET', `/pins/${validateCid(cid)}`, signal ? { signal } : {});
    return toPinStatus((await response.json()) as RawPinInfo);
  }

  /** The status of every pin the cluster tracks. */
  async statusAll(signal?: AbortSignal): Promise<PinStatus[]> {
    const response = await this.#request('GET', '/pins', signal ? { signal } : {});
    return (await response.text())
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => toPinStatus(JSON.parse(line) as RawPinInfo));
  }

  /** Asks every allocated peer to retry a failed or missing pin; returns the status after the attempt. */
  async recover(cid: string, signal?: AbortSignal): Promise<PinStatus> {
    const response = await this.#request(
      'POST',
      `/pins/${validateCid(cid)}/recover`,
      signal ? { signal } : {},
    );
    return toPinStatus((await response.json()) as RawPinInfo);
  }

  /** Removes the pin cluster-wide; a CID that is not pinned is not an error. */
  async unpin(cid: string, signal?: AbortSignal): Promise<void> {
    try {
      await this.#request('DELETE', `/pins/${validateCid(cid)}`, signal ? { signal } : {});
    } catch (error) {
      if (error instanceof StorageError && error.code === 'NOT_FOUND') return;
      throw error;
    }
  }

  /**
   * Runs garbage collection on the IPFS node of every cluster peer
   * (`POST /ipfs/gc?local=false`): each drops the blocks no pin holds. A peer
   * that cannot be reached is reported with its error, not thrown.
   */
  async gc(signal?: AbortSignal): Promise<PeerGc[]> {
    const response = await this.#request('POST', '/ipfs/gc?local=false', {
      timeoutMs: 5 * 60_000,
      ...(signal ? { signal } : {}),
    });
    const body = (await response.json()) as {
      peer_map?: Record<
        string,
        { peer?: string; peername?: string; keys?: unknown[] | null; error?: string }
      >;
    };
    return Object.entries(body.peer_map ?? {}).map(([id, p]) => ({
      peerId: p.peer ?? id,
      peerName: p.peername ?? '',
      removed: p.keys?.length ?? 0,
      error: p.error ?? '',
    }));
  }

  /** The cluster's peers; a peer that cannot be reached carries an error. */
  async peers(signal?: AbortSignal): Promise<ClusterPeer[]> {
    const response = await this.#request('GET', '/peers', signal ? { signal } : {});
    return (await response.text())
      .split('\n')
      .filter((line) => line.trim().length > 0)
      .map((line) => {
        const p = JSON.parse(line) as { id?: string; peername?: string; error?: string };
        return { id: p.id ?? '', peerName: p.peername ?? '', error: p.error ?? '' };
      });
  }

  /**
   * POSTs a streamed body over node:http, whose pipeline waits for the socket
   * to drain: fetch reads a stream body ahead of the socket, which would hold a
   * large upload in memory.
   */
  async #upload(
    path: string,
    body: ReadableStream<Uint8Array>,
    contentType: string,
    callerSignal?: AbortSignal,
  ): Promise<string> {
    const deadline = AbortSignal.timeout(this.#addTimeoutMs);
    const signal = callerSignal ? AbortSignal.any([deadline, callerSignal]) : deadline;
    const url = new URL(`${this.#url}${path}`);
    const call = `POST ${url.pathname}`;
    const request = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, {
      method: 'POST',
      headers: { authorization: this.#authorization, 'content-type': contentType },
      signal,
    });
    const responded = new Promise<IncomingMessage>((resolve, reject) => {
      request.once('response', resolve);
      request.once('error', reject);
    });
    const sent = pipeline(Readable.fromWeb(body), request);
    // Awaited below, after the response; until then a failure must not count as unhandled.
    sent.catch(() => undefined);
    let response: IncomingMessage;
    try {
      response = await responded;
    } catch (cause) {
      const failed = await sent.then(
        () => undefined,
        (error: unknown) => error,
      );
      if (failed instanceof StorageError) throw failed;
      const what = deadline.aborted ? 'did not answer in time' : 'could not be reached';
      throw new StorageError('UNAVAILABLE', `the IPFS Cluster REST API ${what} (${call})`, { cause });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const status = response.statusCode ?? 0;
    if (status >= 200 && status < 300) {
      await sent;
      return text;
    }
    request.destroy();
    await sent.catch(() => undefined);
    throw clusterError(status, errorMessage(text), call);
  }

  async #request(
    method: string,
    path: string,
    options: {
      body?: ReadableStream<Uint8Array>;
      contentType?: string;
      timeoutMs?: number;
      signal?: AbortSignal;
    },
  ): Promise<Response> {
    const deadline = AbortSignal.timeout(options.timeoutMs ?? this.#timeoutMs);
    const signal = options.signal ? AbortSignal.any([deadline, options.signal]) : deadline;
    let response: Response;
    try {
      response = await fetch(`${this.#url}${path}`, {
        method,
        headers: { authorization: this.#authorization },
        signal,
      });
    } catch (cause) {
      const what = deadline.aborted ? 'did not answer in time' : 'could not be reached';
      throw new StorageError(
        'UNAVAILABLE',
        `the IPFS Cluster REST API ${what} (${method} ${path.split('?')[0] ?? ''})`,
        {
          cause,
        },
      );
    }
    if (response.ok) return response;
    const text = await response.text().catch(() => '');
    throw clusterError(response.status, errorMessage(text), `${method} ${path.split('?')[0] ?? ''}`);
  }
}

/** The message of a cluster error body (`{"code":500,"message":"..."}`), or the body itself. */
function errorMessage(text: string): string {
  try {
    return (JSON.parse(text) as { message?: string }).message ?? text;
  } catch {
    return text;
  }
}

function clusterError(status: number, message: string, call: string): StorageError {
  const details = { status, call };
  if (status === 401 || status === 403) {
    return new StorageError('UNAUTHORIZED', 'the IPFS Cluster REST API refused our credentials', { details });
  }
  if (status === 404 || /not found/i.test(message)) {
    return new StorageError('NOT_FOUND', 'the CID is not pinned in the cluster', { details });
  }
  if (/not enough peers to allocate/i.test(message)) {
    return new StorageError(
      'INSUFFICIENT_PEERS',
      'too few cluster peers are up to reach the minimum replication; nothing was stored',
      { details: { ...details, reason: message.slice(0, 300) } },
    );
  }
  return new StorageError('UNAVAILABLE', `the IPFS Cluster failed ${call}: ${message.slice(0, 200)}`, {
    details,
  });
}
