import type { AccountStore } from '../../auth';
import type { SweepResult } from '../../erasure-sweep';
import type { ApiRoutes } from '../routes';
import { signedInOperator } from '../signed-in';

/** What the erasure route uses. */
export interface ErasureDeps {
  accounts: AccountStore;
  /** Completes the approved erasures of records this gateway's organisations received. */
  erasureSweep: { run(): Promise<SweepResult> };
}

/**
 * Runs the erasure sweep now, for an operator whose confirmation completed an
 * approval, instead of at the next housekeeping round. The sweep acts only on
 * erasures the ledger approved, so asking for it cannot erase anything else.
 */
export function erasureRoutes(api: ApiRoutes, deps: ErasureDeps): void {
  api.add(
    {
      method: 'post',
      path: '/api/operator/erasures/sweep',
      tag: 'operator',
      summary: 'Clear the storage of approved erasures now and complete them on the ledger',
      audience: 'operator',
      responses: { 200: '{erased: [{recordId, unpinnedFrom, collectedOn, blocksRemoved}], problems}' },
    },
    async (req, res) => {
      await signedInOperator(req, deps.accounts);
      const result = await deps.erasureSweep.run();
      res.json({
        erased: result.erased.map((e) => ({ recordId: e.recordId, ...e.evidence })),
        // Counted, not listed: the lines name ciphertexts, which stay private.
        problems: result.problems.length,
      });
    },
  );
}
