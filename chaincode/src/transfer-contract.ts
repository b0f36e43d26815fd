import { verify } from 'node:crypto';
import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { KeyEndorsementPolicy } from 'fabric-shim';
import type { GrantRecord } from './access';
import { requireAttestation } from './attestation';
import type { BreakGlassRecord } from './emergency';
import { ChaincodeError } from './errors';
import { requireTransfer } from './guards';
import { callerOf, creatorCertificate } from './identity';
import { marshal } from './json';
import { certificatePublicKey } from './public-keys';
import { activeUser } from './registry-contract';
import { PERMISSIONS, requirePermission } from './roles';
import { activityKey, keyOf, readAll, readRecord, writeRecord } from './state';
import { txTime } from './time';
import {
  collectionFor,
  envelopeKey,
  parseEnvelope,
  signedMessage,
  validateContentHash,
  validateRecordId,
  type EnvelopeRecord,
  type TransferRecord,
} from './transfer';
import { validateUserId, type UserRecord } from './user';

/** Erasure handles at most this many grants of one record (a bound, not a cut: more is an error). */
const MAX_GRANTS_PER_RECORD = 1000;

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
   * Records a transfer from the caller to `recipientId`. Transient data
   * `envelope` carries the CID, size, media type, the data key wrapped for the
   * recipient, the sender's signature and a salt; transient `attestation`
   * carries the sender's gateway attestation for `send` (see
   * requireAttestation). Both organisations endorse:
   * the pair's collection requires it for the private write, and the record's
   * key gets a state-based policy naming both for any later change.
   */
  @Transaction()
  @Param('recordId', 'string', '16 to 64 URL-safe characters chosen by the sender')
  @Param('recipientId', 'string', 'registry id of the recipient')
  @Param('contentHash', 'string', 'SHA-256 of the ciphertext, hex')
  public async Send(ctx: Context, recordId: string, recipientId: string, contentHash: string): Promise<void> {
    validateRecordId(recordId);
    validateUserId(recipientId);
    validateContentHash(contentHash);
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
    const envelope = parseEnvelope(ctx.stub.getTransient().get('envelope'));
    verifySenderSignature(
      ctx,
      envelope.signature,
      signedMessage(recordId, envelope.cid, contentHash, recipientId),
    );

    const key = keyOf(ctx, 'transfer', recordId);
    if ((await readRecord<TransferRecord>(ctx, key)) !== undefined) {
      throw new ChaincodeError('ALREADY_EXISTS', `record ${recordId} already exists`);
    }
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
      status: 'active',
      createdAt: now,
      updatedAt: now,
      txId: ctx.stub.getTxID(),
      attestation,
    };
    await writeRecord(ctx, key, transfer);
    const policy = new KeyEndorsementPolicy();
    policy.addOrgs('PEER', ...new Set([caller.mspId, recipient.mspId]));
    await ctx.stub.setStateValidationParameter(key, policy.getPolicy());
    for (const userId of new Set([sender.userId, recipientId])) {
      await writeRecord(ctx, activityKey('transfer', userId, now, recordId), { recordId });
    }
    const privateRecord: EnvelopeRecord = {
      ...envelope,
      docType: 'envelope',
      recordId,
      readerId: recipientId,
      contentHash,
      senderId: sender.userId,
      createdAt: now,
    };
    await ctx.stub.putPrivateData(
      collectionFor(caller.mspId, recipient.mspId),
      envelopeKey(ctx, recordId, recipientId),
      marshal(privateRecord),
    );
    ctx.stub.setEvent(
      'TransferRecorded',
      marshal({ recordId, senderId: sender.userId, recipientId, contentHash, createdAt: now }),
    );
  }

  /**
   * An admin of the recipient's organisation erases a record: every envelope of
   * it (the recipient's and each grantee's) is purged from private data, grants
   * are closed, and the public record is marked erased. The audit trail stays.
   */
  @Transaction()
  public async EraseRecord(ctx: Context, recordId: string): Promise<void> {
    validateRecordId(recordId);
    const admin = callerOf(ctx);
    requirePermission(admin.role, 'erase');
    const key = keyOf(ctx, 'transfer', recordId);
    const transfer = await requireTransfer(ctx, recordId);
    if (transfer.recipientMspId !== admin.mspId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `only an admin of ${transfer.recipientMspId} may erase record ${recordId}`,
      );
    }
    if (transfer.status === 'erased') {
      throw new ChaincodeError('FAILED_PRECONDITION', `record ${recordId} is already erased`);
    }
    const now = txTime(ctx);
    await ctx.stub.purgePrivateData(
      collectionFor(transfer.senderMspId, transfer.recipientMspId),
      envelopeKey(ctx, recordId, transfer.recipientId),
    );
    for (const grant of await readAll<GrantRecord>(ctx, 'grant', [recordId], MAX_GRANTS_PER_RECORD)) {
      await ctx.stub.purgePrivateData(
        collectionFor(transfer.recipientMspId, grant.granteeMspId),
        envelopeKey(ctx, recordId, grant.granteeId),
      );
      if (grant.status === 'active') {
        await writeRecord(ctx, keyOf(ctx, 'grant', recordId, grant.granteeId), {
          ...grant,
          status: 'revoked',
          revokedAt: now,
        });
      }
    }
    for (const opening of await readAll<BreakGlassRecord>(
      ctx,
      'break-glass',
      [recordId],
      MAX_GRANTS_PER_RECORD,
    )) {
      await ctx.stub.purgePrivateData(
        collectionFor(transfer.recipientMspId, opening.doctorMspId),
        envelopeKey(ctx, recordId, opening.doctorId),
      );
    }
    await writeRecord(ctx, key, { ...transfer, status: 'erased', updatedAt: now });
    ctx.stub.setEvent('RecordErased', marshal({ recordId, erasedBy: admin.userId, at: now }));
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
