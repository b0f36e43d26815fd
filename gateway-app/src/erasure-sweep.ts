import type { ErasingContent } from 'medshare-chaincode';
import type { Logger } from 'pino';
import type { StorageErasure } from './storage/encrypted-store';

/** One organisation's side of the sweep: its approved erasures, its store, and the ledger step that ends each. */
export interface SweptOrganisation {
  /** The ciphertexts of approved erasures of records this organisation received (erasure:ErasingContent). */
  erasing(): Promise<ErasingContent[]>;
  /** Clears one ciphertext from every storage node (EncryptedStore.erase). */
  erase(cid: string): Promise<StorageErasure>;
  /** Reports it on the ledger, which purges the envelopes (erasure:CompleteErasure as the gateway service). */
  complete(recordId: string, evidence: StorageErasure): Promise<void>;
}

/** What one sweep did. */
export interface SweepResult {
  /** Records whose storage was cleared and whose erasure is now complete on the ledger. */
  erased: { recordId: string; mspId: string; evidence: StorageErasure }[];
  /** What failed, one line each; the next sweep tries again. */
  problems: string[];
}

/**
 * Completes approved erasures: for each record whose erasure every holding
 * organisation confirmed, the gateway of the recipient's organisation unpins
 * the ciphertext from every cluster peer, garbage-collects every IPFS node,
 * and reports that on the ledger, which then purges every envelope. Storage
 * goes first, so no envelope is purged while its ciphertext may remain; the
 * record is unreadable from the approval on. Runs with housekeeping, and at
 * once when an admin's confirmation completes an approval.
 */
export class ErasureSweep {
  readonly #orgs: Readonly<Record<string, SweptOrganisation>>;
  readonly #logger: Logger;
  #running: Promise<SweepResult> | undefined;

  constructor(orgs: Readonly<Record<string, SweptOrganisation>>, logger: Logger) {
    this.#orgs = orgs;
    this.#logger = logger;
  }

  /** Sweeps now; a sweep already running is joined rather than doubled. */
  run(): Promise<SweepResult> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  async #sweep(): Promise<SweepResult> {
    const result: SweepResult = { erased: [], problems: [] };
    for (const [mspId, org] of Object.entries(this.#orgs)) {
      let erasing: ErasingContent[];
      try {
        erasing = await org.erasing();
      } catch (error) {
        result.problems.push(`erasures of ${mspId}: ${message(error)}`);
        continue;
      }
      for (const content of erasing) {
        try {
          const evidence = await org.erase(content.cid);
          await org.complete(content.recordId, evidence);
          result.erased.push({ recordId: content.recordId, mspId, evidence });
        } catch (error) {
          result.problems.push(`erasure of record ${content.recordId}: ${message(error)}`);
        }
      }
    }
    if (result.problems.length > 0) this.#logger.warn({ problems: result.problems }, 'erasure sweep');
    for (const e of result.erased) {
      this.#logger.info({ recordId: e.recordId, ...e.evidence }, 'record erased from storage and ledger');
    }
    return result;
  }
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
