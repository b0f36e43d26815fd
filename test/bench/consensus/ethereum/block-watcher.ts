import type { WebSocketProvider } from 'ethers';
import { now } from '../system';

interface Waiter {
  resolve: () => void;
  reject: (err: Error) => void;
}

/**
 * Learns of new blocks from the node's `newHeads` subscription and records,
 * for each block number, the {@link now} when the harness first saw it. A
 * slow poll of the block number backs the subscription up, so a notification
 * lost on the way never leaves the harness waiting for a block it has.
 */
export class BlockWatcher {
  private readonly seenAt = new Map<number, number>();
  private readonly waiters = new Map<number, Waiter[]>();
  private highest = -1;
  private first = -1;
  private poller: NodeJS.Timeout | undefined;
  private polling = false;
  private failure: Error | undefined;

  constructor(
    private readonly provider: WebSocketProvider,
    /** Called once for each new block, in order. */
    private readonly onBlock: (block: number) => void,
    private readonly pollMs = 1000,
  ) {}

  /** Subscribes; blocks up to the current head count as seen now. */
  async start(): Promise<void> {
    await this.provider.on('block', (n: number) => {
      this.saw(n);
    });
    const head = await this.provider.getBlockNumber();
    this.first = head;
    this.saw(head);
    this.poller = setInterval(() => {
      void this.poll();
    }, this.pollMs);
  }

  /** Stops polling and fails every wait with `err`. */
  stop(err: Error): void {
    clearInterval(this.poller);
    this.failure ??= err;
    for (const waiters of this.waiters.values()) for (const w of waiters) w.reject(err);
    this.waiters.clear();
  }

  /** The highest block seen. */
  get head(): number {
    return this.highest;
  }

  /** When block `n` was first seen, waiting for it if need be. */
  async seenTime(n: number): Promise<number> {
    const seen = this.seenAt.get(n);
    if (seen !== undefined) return seen;
    if (this.failure) throw this.failure;
    await new Promise<void>((resolve, reject) => {
      this.waiters.set(n, [...(this.waiters.get(n) ?? []), { resolve, reject }]);
    });
    return this.seenAt.get(n) ?? now();
  }

  /** Mean seconds between blocks seen since start, or undefined before two. */
  meanInterval(): number | undefined {
    const from = this.seenAt.get(this.first);
    const to = this.seenAt.get(this.highest);
    const blocks = this.highest - this.first;
    return from === undefined || to === undefined || blocks < 1 ? undefined : (to - from) / 1000 / blocks;
  }

  /** Blocks seen since start. */
  get blocksSeen(): number {
    return Math.max(0, this.highest - this.first);
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      this.saw(Number(await this.provider.send('eth_blockNumber', [])));
    } catch {
      /* the next poll or the subscription will tell */
    } finally {
      this.polling = false;
    }
  }

  private saw(n: number): void {
    const t = now();
    // A subscription may skip heads; the blocks between were learnt of now.
    for (let m = this.highest < 0 ? n : this.highest + 1; m <= n; m++) {
      this.seenAt.set(m, t);
      this.highest = m;
      for (const w of this.waiters.get(m) ?? []) w.resolve();
      this.waiters.delete(m);
      this.onBlock(m);
    }
  }
}
