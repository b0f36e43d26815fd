import { callSpec } from '../fabric/calls';
import { peerOrganisations, type TrustBundle } from '../trust/bundle';

/**
 * Whose peers must have signed an answer before the device believes it. An
 * answer endorsed only by peers outside the policy is refused, however valid
 * their signatures: a single organisation's operator could run a peer that
 * lies about everyone else's data.
 */
export interface ReadPolicy {
  /** Organisations at least one of whose peers must have endorsed the answer. */
  required: readonly string[];
  /** Distinct peer organisations of the consortium that must have endorsed it, in all. */
  minOrganisations: number;
}

/**
 * Reads of the caller's own organisation's private data (its implicit
 * collection): only that organisation's peers hold it, so only they can
 * answer, and the answer concerns only that organisation's members.
 */
const OWN_ORGANISATION_READS: ReadonlySet<string> = new Set([
  'access:ReadEnvelope',
  'emergency:ReadEmergencyEnvelope',
]);

/** How many organisations must agree on a public-state answer: no single operator's word. */
const PUBLIC_READ_ORGANISATIONS = 2;

/**
 * Whether the device treats `fn` as a read: an answer it verifies from peers'
 * endorsements, never submitted. The device's own table, not the gateway's say.
 */
export function isRead(fn: string): boolean {
  return callSpec(fn)?.kind === 'evaluate';
}

/**
 * The read policy of a chaincode read, from the device's own knowledge: its
 * own organisation's peers always, and for public state (the same on every
 * peer) those of a second organisation too; an emergency key set also from
 * its owner organisation's peers.
 */
export function readPolicyOf(
  fn: string,
  args: readonly string[],
  ownMspId: string,
  bundle: TrustBundle,
): ReadPolicy {
  if (OWN_ORGANISATION_READS.has(fn)) return { required: [ownMspId], minOrganisations: 1 };
  const peers = peerOrganisations(bundle);
  const required = [ownMspId];
  const owner = fn === 'emergencykeys:GetKeySet' ? args[0] : undefined;
  if (owner !== undefined && owner !== ownMspId && peers.includes(owner)) required.push(owner);
  return { required, minOrganisations: Math.min(PUBLIC_READ_ORGANISATIONS, peers.length) };
}

/**
 * The proof a device asks for that its transaction committed: the block that
 * holds it, from peers of its own and one more organisation.
 */
export function commitPolicyOf(ownMspId: string, bundle: TrustBundle): ReadPolicy {
  return {
    required: [ownMspId],
    minOrganisations: Math.min(PUBLIC_READ_ORGANISATIONS, peerOrganisations(bundle).length),
  };
}

/**
 * The organisations the device asks to endorse an answer: the policy's
 * required ones, then others of the consortium (in MSP id order) until there
 * are enough. The gateway passes them to the peers' Gateway service; if it
 * asks others, the answer fails the policy on the device.
 */
export function endorsersFor(policy: ReadPolicy, bundle: TrustBundle): string[] {
  const chosen = [...new Set(policy.required)];
  for (const mspId of peerOrganisations(bundle)) {
    if (chosen.length >= policy.minOrganisations) break;
    if (!chosen.includes(mspId)) chosen.push(mspId);
  }
  return chosen;
}
