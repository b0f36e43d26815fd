import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';
import {
  grantInForce,
  READ_WINDOW_MS,
  validateExpiry,
  validatePurpose,
  type AccessEvent,
  type GrantRecord,
} from './access';
import { decide } from './access-rules';
import { requireAttestation } from './attestation';
import { ChaincodeError } from './errors';
import { requireRecipientOrAuditor, requireTransfer } from './guards';
import { callerOf, type CertificateIdentity } from './identity';
import { marshal } from './json';
import { recordEvent } from './record-events';
import { activeUser } from './registry-contract';
import { requirePermission } from './roles';
import { activityKey, keyOf, readPage, readRecord, requireRecord, writeRecord } from './state';
import { txTime } from './time';
import {
  depositEnvelope,
  envelopeHashOf,
  removeEnvelope,
  requireDeposited,
  type EnvelopeSlot,
} from './envelopes';
import {
  collectionFor,
  envelopeKey,
  shareKind,
  validateEnvelopeHash,
  validateRecordId,
  type EnvelopeRecord,
  type KeyShareField,
  type TransferRecord,
} from './transfer';
import type { BreakGlassRecord } from './emergency';
import { validateUserId, type UserRecord } from './user';

const TX_ID = /^[0-9a-f]{64}$/;

/**
 * Who may read a record's envelope, and the audit trail of every attempt.
 *
 * Reading takes two calls, so that no secret is ever written to the ledger:
 * `RecordAccess` is submitted and commits an access event whether the rules
 * grant or deny (a denial is recorded, not an endorsement failure), returning
 * only the outcome; `ReadEnvelope` is evaluated, never committed, and returns
 * the CID and the caller's wrapped key only against a granted access event of
 * the caller, re-checking the rules so a revocation or erasure ends access at once.
 */
@Info({ title: 'AccessContract', description: 'Grants, access decisions and the access audit trail' })
export class AccessContract extends Contract {
  constructor() {
    super('access');
  }

  /**
   * The recipient of a record (a patient) deposits the envelope for a doctor
   * it is about to grant access to (first of two steps, see envelopes.ts):
   * transient `envelope` is the whole EnvelopeRecord, with the data key
   * wrapped for the doctor and the original sender's signature. An earlier
   * deposit that no grant in force refers to is replaced.
   */
  @Transaction()
  public async DepositGrantEnvelope(ctx: Context, recordId: string, granteeId: string): Promise<void> {
    const { caller, grantor, grantee, transfer } = await grantParties(ctx, recordId, granteeId);
    const current = await readRecord<GrantRecord>(ctx, keyOf(ctx, 'grant', recordId, granteeId));
    if (current !== undefined && grantInForce(current, txTime(ctx))) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `a grant of record ${recordId} to ${granteeId} is in force until ${current.expiresAt}`,
      );
    }
    await depositEnvelope(
      ctx,
      grantSlot(caller, grantee, recordId),
      {
        recordId,
        readerId: granteeId,
        senderId: transfer.senderId,
        contentHash: transfer.contentHash,
        depositorId: grantor.userId,
      },
      'unreferenced',
    );
  }

  /**
   * The recipient of a record (a patient) grants a doctor access for a purpose
   * until `expiresAt`, with the envelope it deposited for the doctor
   * (DepositGrantEnvelope), named by its SHA-256 `envelopeHash`.
   */
  @Transaction()
  @Param('expiresAt', 'string', 'ISO 8601 UTC, at most a year ahead')
  @Param('envelopeHash', 'string', 'SHA-256 of the deposited envelope, hex')
  public async GrantAccess(
    ctx: Context,
    recordId: string,
    granteeId: string,
    purpose: string,
    expiresAt: string,
    envelopeHash: string,
  ): Promise<void> {
    const purposeOfUse = validatePurpose(purpose);
    validateEnvelopeHash(envelopeHash);
    const { caller, grantor, grantee } = await grantParties(ctx, recordId, granteeId);
    await requireDeposited(ctx, grantSlot(caller, grantee, recordId), grantor.userId, envelopeHash);
    const now = txTime(ctx);
    const grant: GrantRecord = {
      docType: 'grant',
      recordId,
      granteeId,
      granteeMspId: grantee.mspId,
      grantorId: grantor.userId,
      purpose: purposeOfUse,
      expiresAt: validateExpiry(expiresAt, now),
      status: 'active',
      createdAt: now,
      envelopeHash,
    };
    const key = keyOf(ctx, 'grant', recordId, granteeId);
    await writeRecord(ctx, key, grant);
    await setPartiesPolicy(ctx, key, caller.mspId, grantee.mspId);
    await writeRecord(ctx, activityKey('grant', granteeId, now, recordId), { recordId });
    await recordEvent(ctx, recordId, {
      kind: 'grant',
      actorId: grant.grantorId,
      actorMspId: caller.mspId,
      subjectId: granteeId,
      detail: `${purposeOfUse} until ${grant.expiresAt}`,
    });
    ctx.stub.setEvent('AccessGranted', marshal({ recordId, granteeId, purpose, expiresAt: grant.expiresAt }));
  }

  /** The grantor revokes a grant; the grantee's envelope is deleted and access ends at once. */
  @Transaction()
  public async RevokeGrant(ctx: Context, recordId: string, granteeId: string): Promise<void> {
    validateRecordId(recordId);
    validateUserId(granteeId);
    const { caller, record: grantor } = await activeUser(ctx);
    requirePermission(grantor.role, 'revoke');
    const key = keyOf(ctx, 'grant', recordId, granteeId);
    const grant = await requireRecord<GrantRecord>(ctx, key, `grant of record ${recordId} to ${granteeId}`);
    if (grant.grantorId !== grantor.userId) {
      throw new ChaincodeError('ACCESS_DENIED', 'only the grantor may revoke a grant');
    }
    if (grant.status !== 'active') {
      throw new ChaincodeError('FAILED_PRECONDITION', 'the grant is already revoked');
    }
    const now = txTime(ctx);
    await writeRecord(ctx, key, { ...grant, status: 'revoked', revokedAt: now });
    await removeEnvelope(
      ctx,
      {
        collection: collectionFor(caller.mspId, grant.granteeMspId),
        recordId,
        readerId: granteeId,
        kind: 'record',
      },
      'delete',
    );
    await recordEvent(ctx, recordId, {
      kind: 'revoke',
      actorId: grantor.userId,
      actorMspId: caller.mspId,
      subjectId: granteeId,
      detail: '',
    });
    ctx.stub.setEvent('AccessRevoked', marshal({ recordId, granteeId, revokedAt: now }));
  }

  /**
   * Records an attempt to open a record and returns `{outcome, reason, txId}`.
   * Denials commit too: the audit trail holds every attempt. Transient
   * `attestation` must carry the caller's gateway attestation for `access`;
   * without a valid one this fails (ATTESTATION_INVALID) and records nothing:
   * the gateway records its own refusals (attestation:RecordRefusal).
   */
  @Transaction()
  @Returns('string')
  public async RecordAccess(ctx: Context, recordId: string, purpose: string): Promise<string> {
    validateRecordId(recordId);
    const purposeOfUse = validatePurpose(purpose);
    const caller = callerOf(ctx);
    const attestation = await requireAttestation(ctx, caller, 'access');
    const now = txTime(ctx);
    const decision = await decide(ctx, caller, recordId, now);
    const txId = ctx.stub.getTxID();
    const event: AccessEvent = {
      docType: 'access',
      recordId,
      txId,
      userId: caller.userId,
      mspId: caller.mspId,
      role: caller.role ?? '',
      // An emergency opening is read for emergency treatment, whatever the caller asked.
      purpose: decision.via?.kind === 'breakGlass' ? 'ETREAT' : purposeOfUse,
      outcome: decision.outcome,
      reason: decision.reason,
      at: now,
      attestation,
    };
    await writeRecord(ctx, keyOf(ctx, 'access', recordId, txId), event);
    await writeRecord(ctx, activityKey('access', caller.userId, now, txId), { recordId, txId });
    ctx.stub.setEvent('RecordAccessed', marshal(event));
    return JSON.stringify({ outcome: decision.outcome, reason: decision.reason, txId });
  }

  /**
   * Returns the caller's envelope of a record (CID, wrapped key, media type,
   * sender signature, and `recipientId`, whom the sender signed it for) against
   * the caller's granted access event `accessTxId`, which must be at most
   * {@link READ_WINDOW_MS} old, and only while the grant, opening or receipt
   * is still in force at the read's own time (the proposal timestamp the
   * device signed): an expired grant or opening ends reads at once, and each
   * read is preceded by an access event of its own on the ledger.
   * A query: its answer is never written to the ledger.
   */
  @Transaction(false)
  @Returns('string')
  public async ReadEnvelope(ctx: Context, recordId: string, accessTxId: string): Promise<string> {
    validateRecordId(recordId);
    if (!TX_ID.test(accessTxId)) {
      throw new ChaincodeError('INVALID_ARGUMENT', 'accessTxId must be a transaction id (64 hex characters)');
    }
    const caller = callerOf(ctx);
    const event = await readRecord<AccessEvent>(ctx, keyOf(ctx, 'access', recordId, accessTxId));
    if (event?.userId !== caller.userId || event.outcome !== 'granted') {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `no granted access to record ${recordId} by the caller in ${accessTxId}`,
      );
    }
    // The read's own time (the proposal timestamp the device signed), not the access event's.
    const now = txTime(ctx);
    const age = Date.parse(now) - Date.parse(event.at);
    if (age < 0 || age > READ_WINDOW_MS) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `the access event ${accessTxId} is not from the last ${String(READ_WINDOW_MS / 60_000)} minutes: record the access again`,
      );
    }
    const decision = await decide(ctx, caller, recordId, now);
    if (decision.outcome !== 'granted' || !decision.transfer || !decision.user) {
      throw new ChaincodeError('ACCESS_DENIED', decision.reason);
    }
    const { transfer, user, via } = decision;
    if (via?.kind === 'breakGlass') return JSON.stringify(await breakGlassEnvelope(ctx, transfer, user));
    const bytes = await ctx.stub.getPrivateData(
      via?.kind === 'recipient'
        ? collectionFor(transfer.senderMspId, transfer.recipientMspId)
        : collectionFor(transfer.recipientMspId, user.mspId),
      envelopeKey(ctx, recordId, user.userId),
    );
    if (bytes.length === 0) {
      throw new ChaincodeError('NOT_FOUND', `no envelope of record ${recordId} for the caller on this peer`);
    }
    const envelope = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<EnvelopeRecord>;
    if (
      (via?.envelopeHash !== undefined && envelopeHashOf(bytes) !== via.envelopeHash) ||
      envelope.contentHash !== transfer.contentHash ||
      envelope.senderId !== transfer.senderId
    ) {
      // Not the envelope the granting record names: never hand it out.
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the envelope of record ${recordId} does not match the record`,
      );
    }
    delete envelope.salt;
    return JSON.stringify({ ...envelope, recipientId: transfer.recipientId });
  }

  /** Grants of a record, for its recipient and for auditors. */
  @Transaction(false)
  @Returns('string')
  public async ListGrants(
    ctx: Context,
    recordId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<string> {
    await requireRecipientOrAuditor(ctx, recordId, 'list grants of');
    return JSON.stringify(await readPage<GrantRecord>(ctx, 'grant', [recordId], pageSize, bookmark));
  }
}

/**
 * What a break-glass doctor reads once the key is released: the envelope's
 * public fields and every contributed key share, each checked against the
 * hash its holder recorded. The doctor's device combines the shares.
 */
async function breakGlassEnvelope(
  ctx: Context,
  transfer: TransferRecord,
  doctor: UserRecord,
): Promise<Partial<EnvelopeRecord> & { keyShares: KeyShareField[]; recipientId: string }> {
  const { recordId } = transfer;
  const opening = await readRecord<BreakGlassRecord>(ctx, keyOf(ctx, 'break-glass', recordId, doctor.userId));
  const collection = collectionFor(transfer.recipientMspId, doctor.mspId);
  const keyShares: KeyShareField[] = [];
  let base: Partial<EnvelopeRecord> | undefined;
  for (const share of opening?.shares ?? []) {
    const bytes = await ctx.stub.getPrivateData(
      collection,
      envelopeKey(ctx, recordId, doctor.userId, shareKind(share.holderId)),
    );
    const envelope = JSON.parse(Buffer.from(bytes).toString('utf8')) as Partial<EnvelopeRecord>;
    if (
      bytes.length === 0 ||
      envelopeHashOf(bytes) !== share.envelopeHash ||
      envelope.contentHash !== transfer.contentHash ||
      envelope.senderId !== transfer.senderId ||
      envelope.keyShare === undefined
    ) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the key share of record ${recordId} from ${share.holderId} does not match the record`,
      );
    }
    keyShares.push(envelope.keyShare);
    base ??= envelope;
  }
  if (base === undefined) {
    throw new ChaincodeError('NOT_FOUND', `no key share of record ${recordId} for the caller on this peer`);
  }
  const released: Partial<EnvelopeRecord> = { ...base };
  delete released.salt;
  delete released.keyShare;
  delete released.depositorId;
  return { ...released, keyShares, recipientId: transfer.recipientId };
}

async function setPartiesPolicy(ctx: Context, key: string, ...mspIds: string[]): Promise<void> {
  const policy = new KeyEndorsementPolicy();
  policy.addOrgs('PEER', ...new Set(mspIds));
  await ctx.stub.setStateValidationParameter(key, policy.getPolicy());
}

/** The caller as the active recipient of an active record, and `granteeId` as an active doctor. */
async function grantParties(
  ctx: Context,
  recordId: string,
  granteeId: string,
): Promise<{
  caller: CertificateIdentity;
  grantor: UserRecord;
  grantee: UserRecord;
  transfer: TransferRecord;
}> {
  validateRecordId(recordId);
  validateUserId(granteeId);
  const { caller, record: grantor } = await activeUser(ctx);
  requirePermission(grantor.role, 'grant');
  const transfer = await requireTransfer(ctx, recordId);
  if (transfer.recipientId !== grantor.userId) {
    throw new ChaincodeError(
      'ACCESS_DENIED',
      `only the recipient of record ${recordId} may grant access to it`,
    );
  }
  if (transfer.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `record ${recordId} was erased`);
  }
  const grantee = await readRecord<UserRecord>(ctx, keyOf(ctx, 'user', granteeId));
  if (grantee?.status !== 'active') {
    throw new ChaincodeError('FAILED_PRECONDITION', `grantee ${granteeId} is not an active registered user`);
  }
  if (grantee.role !== 'doctor') {
    throw new ChaincodeError('FAILED_PRECONDITION', 'access can be granted to doctors only');
  }
  if (grantee.userId === transfer.recipientId) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'the recipient needs no grant');
  }
  return { caller, grantor, grantee, transfer };
}

/** Where a grantee's envelope lives: the collection of the grantor's and the grantee's organisations. */
function grantSlot(grantor: CertificateIdentity, grantee: UserRecord, recordId: string): EnvelopeSlot {
  return {
    collection: collectionFor(grantor.mspId, grantee.mspId),
    recordId,
    readerId: grantee.userId,
    kind: 'record',
  };
}
