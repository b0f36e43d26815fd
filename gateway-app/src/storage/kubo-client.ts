import { validateCid } from './cluster-client';
import { StorageError } from './errors';

/** Where an organisation's kubo RPC API is (loopback only). */
export interface KuboClientOptions {
  rpcUrl: string;
  /** Deadline for kubo to start answering a fetch (default 30 s). */
  timeoutMs?: number;
}

/** The kubo RPC calls the store makes: only `cat`, to stream content out. */
export class KuboClient {
  readonly #url: string;
  readonly #timeoutMs: number;

  constructor(options: KuboClientOptions) {
    this.#url = options.rpcUrl.replace(/\/+$/, '');
    this.#timeoutMs = options.timeoutMs ?? 30_000;
  }

  /** Whether this kubo node holds the CID pinned recursively, so that the whole file is local. */
  async isPinned(cid: string, signal?: AbortSignal): Promise<boolean> {
    const deadline = AbortSignal.timeout(this.#timeoutMs);
    let response: Response;
    try {
      response = await fetch(`${this.#url}/api/v0/pin/ls?arg=${validateCid(cid)}&type=recursive`, {
        method: 'POST',
        signal: signal ? AbortSignal.any([deadline, signal]) : deadline,
      });
    } catch (cause) {
      throw new StorageError(
        'UNAVAILABLE',
        'the kubo RPC API could not be reached or did not answer in time',
        {
          cause,
        },
      );
    }
    const body = (await response.json().catch(() => ({}))) as { Keys?: Record<string, unknown> };
    return response.ok && body.Keys !== undefined && cid in body.Keys;
  }

  /**
   * Streams the bytes of a UnixFS file. kubo checks every block against its
   * hash as it arrives from the swarm; an error part-way (kubo's
   * X-Stream-Error trailer) surfaces as a short stream, which the store's hash
   * check rejects.
   */
  async cat(cid: string, signal?: AbortSignal): Promise<ReadableStream<Uint8Array>> {
    const controller = new AbortController();
    const timer = setTimeout(() => {
      controller.abort(new StorageError('UNAVAILABLE', 'kubo did not start answering in time'));
    }, this.#timeoutMs);
    const onAbort = (): void => {
      controller.abort(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    let response: Response;
    try {
      response = await fetch(`${this.#url}/api/v0/cat?arg=${validateCid(cid)}&progress=false`, {
        method: 'POST',
        signal: controller.signal,
      });
    } catch (cause) {
      throw new StorageError(
        'UNAVAILABLE',
        'the kubo RPC API could not be reached or did not answer in time',
        {
          cause,
        },
      );
    } finally {
      clearTimeout(timer);
    }
    if (!response.ok || !response.body) {
      const text = await response.text().catch(() => '');
      throw new StorageError('UNAVAILABLE', `kubo could not read the content: ${text.slice(0, 200)}`, {
        details: { status: response.status },
      });
    }
    // The caller's signal keeps cancelling the body; the start-up deadline no longer applies.
    return response.body as ReadableStream<Uint8Array>;
  }
}
