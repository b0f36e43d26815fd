import type { NetworkPlan, OrgPlan } from './topology';

/** One entry of a chaincode's collections config (Fabric's StaticCollectionConfig JSON). */
export interface CollectionConfig {
  name: string;
  policy: string;
  requiredPeerCount: number;
  maxPeerCount: number;
  blockToLive: number;
  memberOnlyRead: boolean;
  memberOnlyWrite: boolean;
  endorsementPolicy: { signaturePolicy: string };
}

/** Name of the private data collection shared by two organisations (order-independent). */
export function pairCollectionName(mspA: string, mspB: string): string {
  const [first, second] = [mspA, mspB].sort();
  return `pdc-${first ?? ''}-${second ?? ''}`;
}

/**
 * One private data collection per pair of peer organisations: only the two
 * organisations hold the data, only their members read or write it, and a write
 * needs a peer of each (collection-level endorsement policy), so neither side
 * can record a transfer between them alone. Transfers inside one organisation
 * use Fabric's implicit per-organisation collection.
 */
export function collectionsConfig(plan: NetworkPlan): CollectionConfig[] {
  const orgs: OrgPlan[] = [...plan.peerOrgs].sort((a, b) => (a.mspId < b.mspId ? -1 : 1));
  const collections: CollectionConfig[] = [];
  orgs.forEach((a, i) => {
    for (const b of orgs.slice(i + 1)) {
      collections.push({
        name: pairCollectionName(a.mspId, b.mspId),
        policy: `OR('${a.mspId}.member', '${b.mspId}.member')`,
        // Both organisations endorse, so both hold the data at commit; spread to their other peers.
        requiredPeerCount: 0,
        maxPeerCount: Math.max(a.nodes.length, b.nodes.length),
        blockToLive: 0,
        memberOnlyRead: true,
        memberOnlyWrite: true,
        endorsementPolicy: { signaturePolicy: `AND('${a.mspId}.peer', '${b.mspId}.peer')` },
      });
    }
  });
  return collections;
}
