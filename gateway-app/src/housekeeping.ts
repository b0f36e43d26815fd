import type { Logger } from 'pino';
import type { SweepResult } from './erasure-sweep';
import { repeatEvery, type Repeating } from './repeat';

/** What one round of {@link Housekeeping} did. */
export interface HousekeepingRound {
  /** Login-throttle rows deleted: names neither locked nor failing for a day. */
  throttleRows: number;
  /** Used attestation nonces the ledger forgot, by organisation (attestation:PruneNonces). */
  nonces: Record<string, number>;
  /** Records whose approved erasure the sweep completed. */
  erased: string[];
  /** What failed, one line each; the next round tries again. */
  problems: string[];
}

/** What {@link Housekeeping} cleans. */
export interface HousekeepingOptions {
  /** Deletes stale login-throttle rows; returns how many (`LoginThrottle.prune`). */
  pruneThrottle(): number;
  /**
   * One page of `attestation:PruneNonces` as the gateway service of each
   * organisation: `{ pruned, more }`.
   */
  pruneNonces: Readonly<Record<string, (pageSize: number) => Promise<{ pruned: number; more: boolean }>>>;
  /** Completes approved erasures (ErasureSweep.run). */
  sweepErasures?: () => Promise<SweepResult>;
  intervalMs: number;
  logger: Logger;
}

/** Pages of nonces one round prunes per organisation at most, so a round stays short. */
const MAX_PAGES = 10;
const PAGE_SIZE = 100;

/**
 * What would otherwise grow for ever: login-throttle rows for made-up login
 * names, and the used nonces of the gateway's attestations on the ledger (kept
 * until no proposal can present them again). Runs every `intervalMs` once
 * started; a failed round is logged and the next one tries again.
 */
export class Housekeeping {
  readonly #options: HousekeepingOptions;
  #repeating: Repeating | undefined;

  constructor(options: HousekeepingOptions) {
    this.#options = options;
  }

  /** One round now. */
  async run(): Promise<HousekeepingRound> {
    const round: HousekeepingRound = { throttleRows: 0, nonces: {}, erased: [], problems: [] };
    try {
      round.throttleRows = this.#options.pruneThrottle();
    } catch (error) {
      round.problems.push(`login throttle: ${message(error)}`);
    }
    for (const [mspId, prune] of Object.entries(this.#options.pruneNonces)) {
      let pruned = 0;
      try {
        for (let page = 0; page < MAX_PAGES; page++) {
          const result = await prune(PAGE_SIZE);
          pruned += result.pruned;
          if (!result.more) break;
        }
      } catch (error) {
        round.problems.push(`nonces of ${mspId}: ${message(error)}`);
      }
      round.nonces[mspId] = pruned;
    }
    if (this.#options.sweepErasures) {
      try {
        const swept = await this.#options.sweepErasures();
        round.erased = swept.erased.map((e) => e.recordId);
        round.problems.push(...swept.problems);
      } catch (error) {
        round.problems.push(`erasures: ${message(error)}`);
      }
    }
    if (round.problems.length > 0) this.#options.logger.warn({ problems: round.problems }, 'housekeeping');
    else this.#options.logger.debug(round, 'housekeeping');
    return round;
  }

  /** Runs every interval from now, until {@link stop}. */
  start(): void {
    this.#repeating = repeatEvery(this.#options.intervalMs, () => this.run());
  }

  stop(): void {
    this.#repeating?.stop();
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
