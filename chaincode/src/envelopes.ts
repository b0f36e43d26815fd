import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import { marshal } from './json';
import {
  envelopeKey,
  parseEnvelopeRecord,
  type EnvelopeKind,
  type EnvelopeParties,
  type EnvelopeRecord,
} from './transfer';

/**
 * Envelopes go to the ledger in two steps, because of how Fabric endorses
 * private data. A deposit (the wrapped key in transient data) writes only to
 * the collection of the organisations concerned, whose own endorsement policy
 * names exactly them: inside one organisation its peers alone endorse it, and
 * the envelope reaches no other organisation's peer. The public record that
 * follows (Send, GrantAccess, ContributeKeyShare) carries no secret, is
 * endorsed per the channel's policy, and names the envelope by its SHA-256,
 * which every endorser checks against the private data hash all peers hold.
 * One transaction cannot do both: a write to public state needs the channel's
 * majority, and the gateway sends transient data only to the collection's members.
 *
 * Beside each envelope, a deposit writes a marker naming its depositor, whose
 * hash every endorser can recompute from the caller: so only the depositor can
 * record a deposit, though its envelope's hash is on the ledger for all to see.
 */

/** Where one reader's envelope of one record lives. */
export interface EnvelopeSlot {
  collection: string;
  recordId: string;
  readerId: string;
  kind: EnvelopeKind;
}

/** Whether a deposit may replace an earlier one (its caller has checked that no public record refers to it). */
export type Replace = 'never' | 'unreferenced';

function depositorKey(ctx: Context, slot: EnvelopeSlot): string {
  return ctx.stub.createCompositeKey('deposit', [slot.recordId, slot.readerId, slot.kind]);
}

function depositorMarker(depositorId: string): Buffer {
  return marshal({ depositorId });
}

const sha256Hex = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

/** The transient `envelope` entry, which a deposit must carry. */
function transientEnvelope(ctx: Context): Uint8Array {
  const bytes = ctx.stub.getTransient().get('envelope');
  if (bytes === undefined || bytes.length === 0) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'transient data must carry an "envelope" entry');
  }
  return bytes;
}

/** The content hash a transient envelope names, before the rest of it is checked (empty if none). */
export function transientContentHash(ctx: Context): string {
  try {
    const { contentHash } = JSON.parse(Buffer.from(transientEnvelope(ctx)).toString('utf8')) as {
      contentHash?: unknown;
    };
    return typeof contentHash === 'string' ? contentHash : '';
  } catch (error) {
    if (error instanceof ChaincodeError) throw error;
    return '';
  }
}

/**
 * The envelope of `parties` from the transient `envelope` entry, written to
 * `slot` with its depositor's marker once `check` accepts it.
 */
export async function depositEnvelope(
  ctx: Context,
  slot: EnvelopeSlot,
  parties: EnvelopeParties,
  replace: Replace,
  check: (envelope: EnvelopeRecord) => void = () => undefined,
): Promise<EnvelopeRecord> {
  const bytes = transientEnvelope(ctx);
  const envelope = parseEnvelopeRecord(bytes, parties);
  check(envelope);
  const key = envelopeKey(ctx, slot.recordId, slot.readerId, slot.kind);
  if (replace === 'never' && (await ctx.stub.getPrivateDataHash(slot.collection, key)).length > 0) {
    throw new ChaincodeError(
      'ALREADY_EXISTS',
      `an envelope of record ${slot.recordId} for ${slot.readerId} is already deposited`,
    );
  }
  // The exact bytes the device hashed: parseEnvelopeRecord refused anything but their canonical form.
  await ctx.stub.putPrivateData(slot.collection, key, bytes);
  await ctx.stub.putPrivateData(
    slot.collection,
    depositorKey(ctx, slot),
    depositorMarker(parties.depositorId),
  );
  return envelope;
}

/**
 * Refuses unless `depositorId` deposited the envelope in `slot` and it hashes
 * to `envelopeHash`. Only hashes are read, which every peer of the channel
 * holds, so endorsers outside the collection agree.
 */
export async function requireDeposited(
  ctx: Context,
  slot: EnvelopeSlot,
  depositorId: string,
  envelopeHash: string,
): Promise<void> {
  const what = `envelope of record ${slot.recordId} for ${slot.readerId}`;
  const hash = await ctx.stub.getPrivateDataHash(
    slot.collection,
    envelopeKey(ctx, slot.recordId, slot.readerId, slot.kind),
  );
  if (hash.length === 0) {
    throw new ChaincodeError('FAILED_PRECONDITION', `no ${what} is deposited: deposit it first`);
  }
  if (Buffer.from(hash).toString('hex') !== envelopeHash) {
    throw new ChaincodeError('FAILED_PRECONDITION', `the deposited ${what} is not the one named`);
  }
  const marker = await ctx.stub.getPrivateDataHash(slot.collection, depositorKey(ctx, slot));
  if (Buffer.from(marker).toString('hex') !== sha256Hex(depositorMarker(depositorId))) {
    throw new ChaincodeError('ACCESS_DENIED', `the ${what} was deposited by someone else`);
  }
}

/** Removes the envelope in `slot` and its depositor's marker (`purge` also removes their history). */
export async function removeEnvelope(
  ctx: Context,
  slot: EnvelopeSlot,
  how: 'delete' | 'purge',
): Promise<void> {
  for (const key of [envelopeKey(ctx, slot.recordId, slot.readerId, slot.kind), depositorKey(ctx, slot)]) {
    await (how === 'purge'
      ? ctx.stub.purgePrivateData(slot.collection, key)
      : ctx.stub.deletePrivateData(slot.collection, key));
  }
}

/** SHA-256 hex of an envelope's bytes, as Fabric hashes private data. */
export function envelopeHashOf(bytes: Uint8Array): string {
  return sha256Hex(bytes);
}
