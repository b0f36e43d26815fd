import { verify } from 'node:crypto';
import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';
import { grantInForce, type GrantRecord } from './access';
import { requireAttestation } from './attestation';
import type { BreakGlassRecord } from './emergency';
import { ChaincodeError } from './errors';
import { requireTransfer } from './guards';
import { callerOf, creatorCertificate, type CertificateIdentity } from './identity';
import { marshal, unmarshal } from './json';
import {
  depositEnvelope,
  removeEnvelope,
  requireDeposited,
  transientContentHash,
  type EnvelopeSlot,
} from './envelopes';
import { certificatePublicKey } from './public-keys';
import { activeUser } from './registry-contract';
import { PERMISSIONS, requirePermission } from './roles';
import { activityKey, keyOf, readRecord, writeRecord } from './state';
import { txTime } from './time';
import {
  collectionFor,
  envelopeKey,
  shareKind,
  signedMessage,
  validateContentHash,
  validateEnvelopeHash,
  validateLabel,
  validateRecordId,
  type EnvelopeRecord,
  type TransferRecord,
} from './transfer';
import { validateUserId, type UserRecord } from './user';

/**
 * Transfers of encrypted content between users. The channel sees ids, parties,
 * the ciphertext's hash, times and status; the CID, wrapped key and metadata
 * stay in the private data collection of the two organisations concerned.
 */
@Info({ title: 'TransferContract', description: 'Records transfers of encrypted medical content' })
export class TransferContract extends Contract {
  constructor() {
    super('transfer');
  }

  /**
   * The sender deposits the envelope of a transfer to `recipientId` (first of
   * two steps, see envelopes.ts): transient `envelope` is the whole
   * EnvelopeRecord, with the sender's signature over (recordId, cid,
   * contentHash, recipientId), checked here against the caller's certificate.
   * Only the two organisations' peers (one organisation's, inside it) endorse
   * it and hold it.
   */
  @Transaction()
  @Param('recordId', 'string', '16 to 64 URL-safe characters chosen by the sender')
  @Param('recipientId', 'string', 'registry id of the recipient')
  public async DepositEnvelope(ctx: Context, recordId: string, recipientId: string): Promise<void> {
    validateRecordId(recordId);
    const { caller, sender, recipient } = await this.parties(ctx, recipientId);
    if ((await readRecord<TransferRecord>(ctx, keyOf(ctx, 'transfer', recordId))) !== undefined) {
      throw new ChaincodeError('ALREADY_EXISTS', `record ${recordId} already exists`);
    }
    const contentHash = validateContentHash(transientContentHash(ctx));
    await depositEnvelope(
      ctx,
      recipientSlot(caller.mspId, recipient, recordId),
      { recordId, readerId: recipientId, senderId: sender.userId, contentHash, depositorId: sender.userId },
      'never',
      (envelope) => {
        verifySenderSignature(
          ctx,
          envelope.signature,
          signedMessage(recordId, envelope.cid, contentHash, recipientId),
        );
      },
    );
  }

  /**
   * Records a transfer from the caller to `recipientId` whose envelope the
   * caller deposited (DepositEnvelope) with SHA-256 `envelopeHash`. Transient
   * `attestation` carries the sender's gateway attestation for `send` (see
   * requireAttestation). The record's key gets a state-based policy naming the
   * organisations of both parties for any later change.
   */
  @Transaction()
  @Param('recordId', 'string', '16 to 64 URL-safe characters chosen by the sender')
  @Param('recipientId', 'string', 'registry id of the recipient')
  @Param('contentHash', 'string', 'SHA-256 of the ciphertext, hex')
  @Param('envelopeHash', 'string', 'SHA-256 of the deposited envelope, hex')
  public async Send(
    ctx: Context,
    recordId: string,
    recipientId: string,
    contentHash: string,
    envelopeHash: string,
  ): Promise<void> {
    await this.recordTransfer(ctx, recordId, recipientId, contentHash, envelopeHash, undefined);
  }

  /**
   * {@link Send} with a label for the parties' lists: the study description, modality and date, sealed by
   * the sender's device for the sender and the recipient (see `validateLabel`). The peers store it as
   * ciphertext on the transfer record.
   */
  @Transaction()
  @Param('recordId', 'string', '16 to 64 URL-safe characters chosen by the sender')
  @Param('recipientId', 'string', 'registry id of the recipient')
  @Param('contentHash', 'string', 'SHA-256 of the ciphertext, hex')
  @Param('label', 'string', 'the sealed label: JSON {v, iv, ct, keys}, at most 4096 characters')
  @Param('envelopeHash', 'string', 'SHA-256 of the deposited envelope, hex')
  public async SendLabelled(
    ctx: Context,
    recordId: string,
    recipientId: string,
    contentHash: string,
    label: string,
    envelopeHash: string,
  ): Promise<void> {
    validateLabel(label);
    await this.recordTransfer(ctx, recordId, recipientId, contentHash, envelopeHash, label);
  }

  private async recordTransfer(
    ctx: Context,
    recordId: string,
    recipientId: string,
    contentHash: string,
    envelopeHash: string,
    label: string | undefined,
  ): Promise<void> {
    validateRecordId(recordId);
    validateContentHash(contentHash);
    validateEnvelopeHash(envelopeHash);
    const { caller, sender, recipient } = await this.parties(ctx, recipientId);
    const key = keyOf(ctx, 'transfer', recordId);
    if ((await readRecord<TransferRecord>(ctx, key)) !== undefined) {
      throw new ChaincodeError('ALREADY_EXISTS', `record ${recordId} already exists`);
    }
    // The sender's own deposit: its hash is public, so another member of the collection could name it.
    await requireDeposited(
      ctx,
      recipientSlot(caller.mspId, recipient, recordId),
      sender.userId,
      envelopeHash,
    );
    // Checked last, so a request refused for another reason leaves its nonce unused.
    const attestation = await requireAttestation(ctx, caller, 'send');
    const now = txTime(ctx);
    const transfer: TransferRecord = {
      docType: 'transfer',
      recordId,
      senderId: sender.userId,
      senderMspId: caller.mspId,
      recipientId,
      recipientMspId: recipient.mspId,
      contentHash,
      envelopeHash,
      status: 'active',
      createdAt: now,
      updatedAt: now,
      txId: ctx.stub.getTxID(),
      attestation,
      ...(label === undefined ? {} : { label }),
    };
    await writeRecord(ctx, key, transfer);
    const policy = new KeyEndorsementPolicy();
    policy.addOrgs('PEER', ...new Set([caller.mspId, recipient.mspId]));
    await ctx.stub.setStateValidationParameter(key, policy.getPolicy());
    for (const userId of new Set([sender.userId, recipientId])) {
      await writeRecord(ctx, activityKey('transfer', userId, now, recordId), { recordId });
    }
    ctx.stub.setEvent(
      'TransferRecorded',
      marshal({ recordId, senderId: sender.userId, recipientId, contentHash, createdAt: now }),
    );
  }

  /**
   * The depositor takes back an envelope no public record refers to (its
   * second step failed): it is purged from the collection, so nothing stored
   * outlives a failed ledger step. `kind` is `share-<holder id>` for an
   * emergency holder's key-share deposit for a break-glass opening, `record` otherwise.
   */
  @Transaction()
  @Param('kind', 'string', 'record, or share-<holder id>')
  public async WithdrawEnvelope(
    ctx: Context,
    recordId: string,
    readerId: string,
    kind: string,
  ): Promise<void> {
    validateRecordId(recordId);
    validateUserId(readerId);
    if (kind !== 'record' && !/^share-[0-9a-f]{64}$/.test(kind)) {
      throw new ChaincodeError('INVALID_ARGUMENT', 'kind must be record or share-<holder id>');
    }
    const { caller } = await activeUser(ctx);
    const reader = await readRecord<UserRecord>(ctx, keyOf(ctx, 'user', readerId));
    if (reader === undefined) {
      throw new ChaincodeError('NOT_FOUND', `no registered user ${readerId}`);
    }
    const slot: EnvelopeSlot = {
      collection: collectionFor(caller.mspId, reader.mspId),
      recordId,
      readerId,
      kind: kind === 'record' ? 'record' : shareKind(kind.slice('share-'.length)),
    };
    const bytes = await ctx.stub.getPrivateData(
      slot.collection,
      envelopeKey(ctx, recordId, readerId, slot.kind),
    );
    if (bytes.length === 0) {
      throw new ChaincodeError(
        'NOT_FOUND',
        `no envelope of record ${recordId} for ${readerId} in ${slot.collection}`,
      );
    }
    const { depositorId } = unmarshal(bytes) as Partial<EnvelopeRecord>;
    if (depositorId !== caller.userId) {
      throw new ChaincodeError('ACCESS_DENIED', 'only its depositor may withdraw an envelope');
    }
    if (await isReferenced(ctx, slot, txTime(ctx))) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `a record refers to the envelope of record ${recordId} for ${readerId}: revoke or erase instead`,
      );
    }
    await removeEnvelope(ctx, slot, 'purge');
  }

  /** The caller as an active sender and `recipientId` as an active user who may receive records. */
  private async parties(
    ctx: Context,
    recipientId: string,
  ): Promise<{ caller: CertificateIdentity; sender: UserRecord; recipient: UserRecord }> {
    validateUserId(recipientId);
    const { caller, record: sender } = await activeUser(ctx);
    requirePermission(sender.role, 'send');
    if (recipientId === sender.userId) {
      throw new ChaincodeError('INVALID_ARGUMENT', 'the recipient must be another user');
    }
    const recipient = await readRecord<UserRecord>(ctx, keyOf(ctx, 'user', recipientId));
    if (recipient?.status !== 'active') {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `recipient ${recipientId} is not an active registered user`,
      );
    }
    if (!PERMISSIONS.access.includes(recipient.role)) {
      throw new ChaincodeError('FAILED_PRECONDITION', `a ${recipient.role} cannot receive records`);
    }
    return { caller, sender, recipient };
  }

  /** The public record of a transfer, for its parties and for auditors. */
  @Transaction(false)
  @Returns('string')
  public async GetTransfer(ctx: Context, recordId: string): Promise<string> {
    validateRecordId(recordId);
    const transfer = await requireTransfer(ctx, recordId);
    if (callerOf(ctx).role !== 'auditor') {
      const { record } = await activeUser(ctx);
      if (record.userId !== transfer.senderId && record.userId !== transfer.recipientId) {
        throw new ChaincodeError(
          'ACCESS_DENIED',
          `only the parties and auditors may read record ${recordId}`,
        );
      }
    } else {
      await activeUser(ctx);
    }
    return JSON.stringify(transfer);
  }
}

function verifySenderSignature(ctx: Context, signature: string, message: Buffer): void {
  const certificate = creatorCertificate(ctx);
  let valid = false;
  try {
    valid = verify(
      'sha256',
      message,
      { key: certificatePublicKey(certificate), dsaEncoding: 'ieee-p1363' },
      Buffer.from(signature, 'base64'),
    );
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      "the signature is not the sender's over (recordId, cid, contentHash, recipientId)",
    );
  }
}

/** Where the recipient's envelope of a record lives: the collection of the sender's and the recipient's organisations. */
function recipientSlot(senderMspId: string, recipient: UserRecord, recordId: string): EnvelopeSlot {
  return {
    collection: collectionFor(senderMspId, recipient.mspId),
    recordId,
    readerId: recipient.userId,
    kind: 'record',
  };
}

/**
 * Whether a public record refers to the envelope in `slot` at `now`: the
 * transfer to its reader, a grant in force, a released break-glass key.
 */
async function isReferenced(ctx: Context, slot: EnvelopeSlot, now: string): Promise<boolean> {
  const { recordId, readerId } = slot;
  if (slot.kind !== 'record') {
    const opening = await readRecord<BreakGlassRecord>(ctx, keyOf(ctx, 'break-glass', recordId, readerId));
    return (opening?.shares ?? []).some((s) => slot.kind === shareKind(s.holderId));
  }
  const transfer = await readRecord<TransferRecord>(ctx, keyOf(ctx, 'transfer', recordId));
  if (transfer?.recipientId === readerId) return true;
  const grant = await readRecord<GrantRecord>(ctx, keyOf(ctx, 'grant', recordId, readerId));
  return grant !== undefined && grantInForce(grant, now);
}
