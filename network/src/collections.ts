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

/**
 * Name of the private data collection of two organisations (order-independent),
 * or of one: must match the chaincode's collectionFor.
 */
export function pairCollectionName(mspA: string, mspB: string): string {
  if (mspA === mspB) return `org-${mspA}`;
  const [first, second] = [mspA, mspB].sort();
  return `pdc-${first ?? ''}-${second ?? ''}`;
}

/**
 * One private data collection per organisation and one per pair of peer
 * organisations: only they hold the data, only their members read or write
 * it, and its own endorsement policy names exactly them. A record between two
 * organisations needs a peer of each, so neither can record it alone; a
 * record inside one organisation needs only its peers, and its envelope never
 * reaches another organisation. (Fabric's implicit per-organisation
 * collections would not do: they fall back to the chaincode's majority
 * policy, which one organisation cannot meet without sending the envelope
 * to another.)
 */
export function collectionsConfig(plan: NetworkPlan): CollectionConfig[] {
  const orgs: OrgPlan[] = [...plan.peerOrgs].sort((a, b) => (a.mspId < b.mspId ? -1 : 1));
  const collection = (members: OrgPlan[]): CollectionConfig => ({
    name: pairCollectionName(members[0]?.mspId ?? '', members[members.length - 1]?.mspId ?? ''),
    policy: `OR(${members.map((o) => `'${o.mspId}.member'`).join(', ')})`,
    // The endorsers are the members, so they hold the data at commit; spread to their other peers.
    requiredPeerCount: 0,
    maxPeerCount: Math.max(...members.map((o) => o.nodes.length)),
    blockToLive: 0,
    memberOnlyRead: true,
    memberOnlyWrite: true,
    endorsementPolicy: {
      signaturePolicy:
        members.length === 1
          ? `OR('${members[0]?.mspId ?? ''}.peer')`
          : `AND(${members.map((o) => `'${o.mspId}.peer'`).join(', ')})`,
    },
  });
  const collections = orgs.map((o) => collection([o]));
  orgs.forEach((a, i) => {
    for (const b of orgs.slice(i + 1)) collections.push(collection([a, b]));
  });
  return collections;
}
