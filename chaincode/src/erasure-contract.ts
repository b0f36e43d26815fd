import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { activeGateway } from './attestation';
import { validateTextHash } from './emergency';
import {
  ERASURE_RULE,
  parseStorageEvidence,
  purgeEnvelopes,
  requiredOrganisations,
  type ErasureRecord,
} from './erasure';
import { ChaincodeError } from './errors';
import { requireTransfer } from './guards';
import { callerOf, type CertificateIdentity } from './identity';
import { marshal, unmarshal } from './json';
import { recordEvent } from './record-events';
import { activeUser } from './registry-contract';
import { requirePermission } from './roles';
import { keyOf, readPage, readRecord, requireRecord, writeRecord } from './state';
import { txTime } from './time';
import {
  collectionFor,
  envelopeKey,
  validateRecordId,
  type EnvelopeRecord,
  type TransferRecord,
} from './transfer';

/** What the storage sweep needs to clear the storage nodes of an approved erasure. */
export interface ErasingContent {
  recordId: string;
  cid: string;
  size: number;
  contentHash: string;
}

/**
 * Erasure of a record, by the rule in {@link ERASURE_RULE}: the recipient
 * asks (RequestErasure), an admin of each organisation holding the record
 * confirms (ConfirmErasure); from the last confirmation on, nobody can read
 * the record, and the organisation's storage sweep unpins the ciphertext from
 * every cluster peer, garbage-collects every IPFS node and reports it
 * (CompleteErasure), which purges every envelope. The erasure record keeps
 * the evidence.
 */
@Info({
  title: 'ErasureContract',
  description: 'Erasure of a record, asked by its recipient and confirmed by each holding organisation',
})
export class ErasureContract extends Contract {
  constructor() {
    super('erasure');
  }

  /** The record's recipient asks for its erasure; `reasonHash` is the SHA-256 of the written reason. */
  @Transaction()
  @Param('reasonHash', 'string', 'SHA-256 of the written reason, hex (the text stays off the ledger)')
  public async RequestErasure(ctx: Context, recordId: string, reasonHash: string): Promise<string> {
    validateRecordId(recordId);
    validateTextHash('reasonHash', reasonHash);
    const { record: requester } = await activeUser(ctx);
    requirePermission(requester.role, 'requestErasure');
    const transfer = await requireTransfer(ctx, recordId);
    if (transfer.recipientId !== requester.userId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `only the recipient of record ${recordId} may ask for its erasure (${ERASURE_RULE})`,
      );
    }
    if (transfer.status !== 'active') {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `record ${recordId} is ${transfer.status === 'erased' ? 'already erased' : 'being erased'}`,
      );
    }
    if ((await readRecord(ctx, keyOf(ctx, 'erasure', recordId))) !== undefined) {
      throw new ChaincodeError('ALREADY_EXISTS', `the erasure of record ${recordId} was asked for already`);
    }
    const now = txTime(ctx);
    const erasure: ErasureRecord = {
      docType: 'erasure',
      recordId,
      status: 'requested',
      requestedBy: requester.userId,
      requesterMspId: requester.mspId,
      reasonHash,
      requestedAt: now,
      requestTxId: ctx.stub.getTxID(),
      required: requiredOrganisations(transfer),
      confirmations: [],
      contentHash: transfer.contentHash,
      senderMspId: transfer.senderMspId,
      recipientMspId: transfer.recipientMspId,
    };
    await writeRecord(ctx, keyOf(ctx, 'erasure', recordId), erasure);
    for (const mspId of erasure.required) {
      await writeRecord(ctx, keyOf(ctx, 'pending-erasure', mspId, recordId), { recordId });
    }
    await recordEvent(ctx, recordId, {
      kind: 'erasure',
      actorId: requester.userId,
      actorMspId: requester.mspId,
      subjectId: '',
      detail: 'requested',
    });
    ctx.stub.setEvent('ErasureRequested', marshal({ recordId, required: erasure.required, at: now }));
    return JSON.stringify(erasure);
  }

  /**
   * An admin of an organisation holding the record confirms its erasure. The
   * last confirmation stops every read of the record at once and hands it to
   * the storage sweep.
   */
  @Transaction()
  @Returns('string')
  public async ConfirmErasure(ctx: Context, recordId: string): Promise<string> {
    validateRecordId(recordId);
    const { caller: admin, record } = await activeUser(ctx);
    requirePermission(record.role, 'erase');
    const key = keyOf(ctx, 'erasure', recordId);
    const erasure = await requireRecord<ErasureRecord>(ctx, key, `erasure request of record ${recordId}`);
    if (!erasure.required.includes(admin.mspId)) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `only admins of ${erasure.required.join(' and ')}, which hold record ${recordId}, confirm its erasure`,
      );
    }
    if (erasure.status !== 'requested') {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the erasure of record ${recordId} is ${erasure.status} already`,
      );
    }
    if (erasure.confirmations.some((c) => c.mspId === admin.mspId)) {
      throw new ChaincodeError(
        'ALREADY_EXISTS',
        `${admin.mspId} confirmed the erasure of record ${recordId} already`,
      );
    }
    const now = txTime(ctx);
    const confirmations = [
      ...erasure.confirmations,
      { adminId: admin.userId, mspId: admin.mspId, at: now, txId: ctx.stub.getTxID() },
    ];
    const approved = erasure.required.every((m) => confirmations.some((c) => c.mspId === m));
    const next: ErasureRecord = { ...erasure, confirmations, status: approved ? 'erasing' : 'requested' };
    await writeRecord(ctx, key, next);
    await ctx.stub.deleteState(keyOf(ctx, 'pending-erasure', admin.mspId, recordId));
    await recordEvent(ctx, recordId, {
      kind: 'erasure',
      actorId: admin.userId,
      actorMspId: admin.mspId,
      subjectId: erasure.requestedBy,
      detail: approved ? 'approved' : 'confirmed',
    });
    if (approved) {
      const transfer = await requireTransfer(ctx, recordId);
      await writeRecord(ctx, keyOf(ctx, 'transfer', recordId), {
        ...transfer,
        status: 'erasing',
        updatedAt: now,
      });
      await writeRecord(ctx, keyOf(ctx, 'erasing', erasure.recipientMspId, recordId), { recordId });
      ctx.stub.setEvent('ErasureApproved', marshal({ recordId, at: now }));
    }
    return JSON.stringify(next);
  }

  /** For an admin: erasure requests that wait for their organisation's confirmation, a page at a time. */
  @Transaction(false)
  @Returns('string')
  public async PendingErasures(ctx: Context, pageSize: number, bookmark: string): Promise<string> {
    const { caller: admin, record } = await activeUser(ctx);
    requirePermission(record.role, 'erase');
    const page = await readPage<{ recordId: string }>(
      ctx,
      'pending-erasure',
      [admin.mspId],
      pageSize,
      bookmark,
    );
    const records: ErasureRecord[] = [];
    for (const { recordId } of page.records) {
      const erasure = await readRecord<ErasureRecord>(ctx, keyOf(ctx, 'erasure', recordId));
      if (erasure) records.push(erasure);
    }
    return JSON.stringify({ records, bookmark: page.bookmark });
  }

  /**
   * For the storage sweep (the recipient organisation's gateway, or its
   * admin): the ciphertext of each approved erasure of a record it received,
   * read from the recipient's envelope on this organisation's own peer.
   */
  @Transaction(false)
  @Returns('string')
  public async ErasingContent(ctx: Context, pageSize: number, bookmark: string): Promise<string> {
    const sweeper = await this.sweeper(ctx);
    const page = await readPage<{ recordId: string }>(ctx, 'erasing', [sweeper.mspId], pageSize, bookmark);
    const records: ErasingContent[] = [];
    for (const { recordId } of page.records) {
      const transfer = await requireTransfer(ctx, recordId);
      const bytes = await ctx.stub.getPrivateData(
        collectionFor(transfer.senderMspId, transfer.recipientMspId),
        envelopeKey(ctx, recordId, transfer.recipientId),
      );
      if (bytes.length === 0) continue;
      const envelope = unmarshal(bytes) as EnvelopeRecord;
      records.push({ recordId, cid: envelope.cid, size: envelope.size, contentHash: envelope.contentHash });
    }
    return JSON.stringify({ records, bookmark: page.bookmark });
  }

  /**
   * The recipient organisation's storage sweep reports that the ciphertext of
   * an approved erasure is unpinned from every cluster peer and collected on
   * every IPFS node (`evidence`, see StorageEvidence); every envelope of the
   * record is then purged and the record is erased.
   */
  @Transaction()
  public async CompleteErasure(ctx: Context, recordId: string, evidence: string): Promise<void> {
    validateRecordId(recordId);
    const sweeper = await this.sweeper(ctx);
    const storage = parseStorageEvidence(evidence, sweeper.userId);
    const key = keyOf(ctx, 'erasure', recordId);
    const erasure = await requireRecord<ErasureRecord>(ctx, key, `erasure of record ${recordId}`);
    if (erasure.recipientMspId !== sweeper.mspId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `only ${erasure.recipientMspId}'s storage sweep completes this erasure`,
      );
    }
    if (erasure.status !== 'erasing') {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        erasure.status === 'erased'
          ? `record ${recordId} is erased already`
          : `the erasure of record ${recordId} is not approved yet`,
      );
    }
    const now = txTime(ctx);
    const transfer = await requireTransfer(ctx, recordId);
    await purgeEnvelopes(ctx, transfer, now);
    const erased: TransferRecord = { ...transfer, status: 'erased', updatedAt: now };
    await writeRecord(ctx, keyOf(ctx, 'transfer', recordId), erased);
    await writeRecord(ctx, key, {
      ...erasure,
      status: 'erased',
      erasedAt: now,
      erasedTxId: ctx.stub.getTxID(),
      storage,
    } satisfies ErasureRecord);
    await ctx.stub.deleteState(keyOf(ctx, 'erasing', sweeper.mspId, recordId));
    await recordEvent(ctx, recordId, {
      kind: 'erasure',
      actorId: sweeper.userId,
      actorMspId: sweeper.mspId,
      subjectId: erasure.requestedBy,
      detail: 'erased',
    });
    ctx.stub.setEvent('RecordErased', marshal({ recordId, contentHash: erasure.contentHash, at: now }));
  }

  /** The erasure of a record: for its parties, the admins of the organisations holding it, and auditors. */
  @Transaction(false)
  @Returns('string')
  public async GetErasure(ctx: Context, recordId: string): Promise<string> {
    validateRecordId(recordId);
    const { caller, record } = await activeUser(ctx);
    const erasure = await requireRecord<ErasureRecord>(
      ctx,
      keyOf(ctx, 'erasure', recordId),
      `erasure of record ${recordId}`,
    );
    const transfer = await requireTransfer(ctx, recordId);
    const allowed =
      record.role === 'auditor' ||
      (record.role === 'admin' && erasure.required.includes(caller.mspId)) ||
      record.userId === transfer.senderId ||
      record.userId === transfer.recipientId;
    if (!allowed) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `only the parties, their organisations' admins and auditors may read the erasure of record ${recordId}`,
      );
    }
    return JSON.stringify(erasure);
  }

  /** The caller as a storage sweep: an announced gateway service, or an active admin. */
  private async sweeper(ctx: Context): Promise<CertificateIdentity> {
    const caller = callerOf(ctx);
    if (caller.role === 'gateway') {
      requirePermission(caller.role, 'sweepErasures');
      await activeGateway(ctx, caller);
      return caller;
    }
    const { record } = await activeUser(ctx);
    requirePermission(record.role, 'sweepErasures');
    return caller;
  }
}
