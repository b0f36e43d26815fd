import type { PinStatus } from './cluster-client';
import type { EncryptedStore } from './encrypted-store';
import { classifyReplication, type Replication } from './replication';

/** A CID the ledger refers to, with the records that refer to it. */
export interface LedgerReference {
  cid: string;
  recordIds: string[];
}

/** A CID's replication next to the ledger records that need it. */
export interface ReconcileEntry extends Replication {
  recordIds: string[];
}

/** What a reconciliation found. */
export interface ReconcileReport {
  /** Distinct CIDs the ledger refers to. */
  checked: number;
  replicated: number;
  /** CIDs missing, below the minimum or under-replicated (after repair, if asked). */
  problems: ReconcileEntry[];
  /** CIDs that were under-replicated and are replicated again after a repair. */
  repaired: ReconcileEntry[];
  /** Pins in the cluster that no record visible to this organisation refers to. */
  unreferencedPins: number;
}

/** Options of {@link reconcile}. */
export interface ReconcileOptions {
  replicationMin: number;
  replicationMax: number;
  /** Ask the cluster to re-pin what is under-replicated or below the minimum, then look again. */
  repair?: boolean;
}

/** Groups ledger entries by CID (a record granted to several readers has one CID and several envelopes). */
export function groupByCid(entries: { cid: string; recordId: string }[]): LedgerReference[] {
  const byCid = new Map<string, Set<string>>();
  for (const e of entries) {
    byCid.set(e.cid, (byCid.get(e.cid) ?? new Set()).add(e.recordId));
  }
  return [...byCid.entries()]
    .map(([cid, ids]) => ({ cid, recordIds: [...ids].sort() }))
    .sort((a, b) => (a.cid < b.cid ? -1 : 1));
}

/**
 * Compares every CID the ledger refers to with the cluster's pin status and
 * replication, in one listing of the cluster's pins.
 */
export async function reconcile(
  references: LedgerReference[],
  store: EncryptedStore,
  options: ReconcileOptions,
): Promise<ReconcileReport> {
  const pins = new Map((await store.allPins()).map((p) => [p.cid, p]));
  const classify = (ref: LedgerReference, status?: PinStatus): ReconcileEntry => ({
    ...classifyReplication(
      status ?? { cid: ref.cid, allocations: [], peers: [] },
      options.replicationMin,
      options.replicationMax,
    ),
    recordIds: ref.recordIds,
  });
  const entries = references.map((ref) => classify(ref, pins.get(ref.cid)));
  const repaired: ReconcileEntry[] = [];
  if (options.repair) {
    for (const [i, entry] of entries.entries()) {
      if (entry.state !== 'under-replicated' && entry.state !== 'below-minimum') continue;
      const after = { ...(await store.repair(entry.cid)), recordIds: entry.recordIds };
      entries[i] = after;
      if (after.state === 'replicated') repaired.push(after);
    }
  }
  const referenced = new Set(references.map((r) => r.cid));
  return {
    checked: references.length,
    replicated: entries.filter((e) => e.state === 'replicated').length,
    problems: entries.filter((e) => e.state !== 'replicated'),
    repaired,
    unreferencedPins: [...pins.keys()].filter((cid) => !referenced.has(cid)).length,
  };
}

/** The report as lines for an operator. */
export function renderReport(report: ReconcileReport): string[] {
  const lines = [
    `Checked ${report.checked} CIDs referred to by the ledger: ${report.replicated} replicated, ${report.problems.length} with problems.`,
  ];
  for (const p of report.problems) {
    const failing = p.failing.map((f) => `${f.peerName} ${f.status}${f.error ? ` (${f.error})` : ''}`);
    lines.push(
      `  ${p.state.toUpperCase()} ${p.cid}: pinned on ${p.pinned.length > 0 ? p.pinned.join(', ') : 'no peer'}` +
        `${failing.length > 0 ? `; failing: ${failing.join(', ')}` : ''}; records ${p.recordIds.join(', ')}`,
    );
  }
  for (const r of report.repaired) {
    lines.push(`  REPAIRED ${r.cid}: pinned on ${r.pinned.join(', ')}`);
  }
  if (report.unreferencedPins > 0) {
    lines.push(
      `${report.unreferencedPins} cluster pins are not referred to by this organisation's records (they may be other organisations').`,
    );
  }
  return lines;
}
