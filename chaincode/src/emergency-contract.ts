import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { requireAttestation } from './attestation';
import { depositEnvelope, requireDeposited, type EnvelopeSlot } from './envelopes';
import { ChaincodeError } from './errors';
import {
  DEFAULT_OPENINGS_PER_DAY,
  validateDuration,
  validateOpeningLimit,
  validateReason,
  validateTextHash,
  type BreakGlassAlertRecord,
  type BreakGlassRecord,
  type OpeningLimitRecord,
  type ReviewRecord,
} from './emergency';
import type { EmergencyKeySetRecord, KeySetAlertRecord } from './emergency-keyset';
import { requireTransfer } from './guards';
import { marshal, unmarshal } from './json';
import { recordEvent } from './record-events';
import { activeUser } from './registry-contract';
import { requirePermission } from './roles';
import { activityKey, countRange, keyOf, readPage, readRecord, requireRecord, writeRecord } from './state';
import { txTime } from './time';
import {
  collectionFor,
  envelopeKey,
  shareKind,
  validateEnvelopeHash,
  type EnvelopeRecord,
  type TransferRecord,
} from './transfer';
import { validateUserId } from './user';

/**
 * Emergency access ("break-glass"). A doctor without a grant opens a record
 * with a reason code; the opening lasts as long as asked, at most four hours, is
 * announced by an event to the patient and auditors, and stays open for review
 * until an auditor closes it. The doctor gets the data key without anyone
 * holding users' keys, and without any one person able to unwrap it: senders
 * split each record's data key for the recipient organisation's emergency key
 * set (emergencykeys:*), and while an opening is in force each of
 * `threshold` holders re-wraps their parts for the doctor on their own device
 * (DepositKeyShare, ContributeKeyShare); only the doctor's device combines them.
 */
@Info({ title: 'EmergencyContract', description: 'Break-glass access, its key release and its review' })
export class EmergencyContract extends Contract {
  constructor() {
    super('emergency');
  }

  /**
   * A doctor opens a record in an emergency, for `durationMinutes` (1 to
   * four hours' worth): as long as the emergency needs, no
   * longer. `justificationHash` is the SHA-256 of the doctor's written
   * justification, which stays with the hospital.
   * Transient `attestation` must carry the doctor's gateway attestation for
   * `breakGlass`. Returns `{reviewId, expiresAt}`.
   */
  @Transaction()
  @Param('reasonCode', 'string', 'UNCONSCIOUS, LIFE_THREATENING, URGENT_CARE or OTHER')
  @Param('durationMinutes', 'number', 'how long the opening lasts, 1 to 240 minutes')
  @Returns('string')
  public async BreakGlass(
    ctx: Context,
    recordId: string,
    reasonCode: string,
    justificationHash: string,
    durationMinutes: number,
  ): Promise<string> {
    const reason = validateReason(reasonCode);
    validateTextHash('justificationHash', justificationHash);
    const minutes = validateDuration(durationMinutes);
    const transfer = await requireTransfer(ctx, recordId);
    const { caller, record: doctor } = await activeUser(ctx);
    requirePermission(doctor.role, 'breakGlass');
    if (transfer.status !== 'active') {
      throw new ChaincodeError('FAILED_PRECONDITION', `record ${recordId} was erased`);
    }
    if (transfer.recipientId === doctor.userId) {
      throw new ChaincodeError('FAILED_PRECONDITION', 'the recipient needs no break-glass');
    }
    const key = keyOf(ctx, 'break-glass', recordId, doctor.userId);
    const now = txTime(ctx);
    const current = await readRecord<BreakGlassRecord>(ctx, key);
    if (current !== undefined && Date.parse(current.expiresAt) > Date.parse(now)) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `a break-glass opening of record ${recordId} is in force until ${current.expiresAt}`,
      );
    }
    // No chain of openings: the previous one must have been reviewed first.
    if (
      current !== undefined &&
      (await readRecord(ctx, keyOf(ctx, 'review', 'closed', current.txId))) === undefined
    ) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the previous break-glass opening of record ${recordId} (review ${current.txId}) has not been reviewed yet`,
      );
    }
    const perDay = await openingLimitOf(ctx, doctor.mspId);
    const dayAgo = new Date(Date.parse(now) - 86_400_000).toISOString();
    const recent = await countRange(
      ctx,
      activityKey('breakGlass', doctor.userId, dayAgo, ''),
      activityKey('breakGlass', doctor.userId, now, '\uffff'),
      perDay,
    );
    // Checked last, so a request refused for another reason leaves its nonce unused.
    const attestation = await requireAttestation(ctx, caller, 'breakGlass');
    const txId = ctx.stub.getTxID();
    if (recent >= perDay) {
      // Refused, but committed: the excess is an alert on the ledger, for auditors and the organisation.
      const alert: BreakGlassAlertRecord = {
        docType: 'alert',
        kind: 'breakGlassLimit',
        txId,
        recordId,
        doctorId: doctor.userId,
        doctorMspId: doctor.mspId,
        openings: recent,
        perDay,
        at: now,
      };
      await writeRecord(ctx, keyOf(ctx, 'alert', now, txId), alert);
      ctx.stub.setEvent('BreakGlassLimitExceeded', marshal(alert));
      return JSON.stringify({
        outcome: 'refused',
        reason: `${String(recent)} openings in the last 24 hours: ${doctor.mspId} allows ${String(perDay)} a day`,
        alertId: txId,
      });
    }
    const opening: BreakGlassRecord = {
      docType: 'break-glass',
      recordId,
      doctorId: doctor.userId,
      doctorMspId: doctor.mspId,
      recipientId: transfer.recipientId,
      recipientMspId: transfer.recipientMspId,
      reasonCode: reason,
      justificationHash,
      openedAt: now,
      expiresAt: new Date(Date.parse(now) + minutes * 60_000).toISOString(),
      txId,
      attestation,
    };
    await writeRecord(ctx, key, opening);
    await writeRecord(ctx, activityKey('breakGlass', doctor.userId, now, recordId), { recordId });
    // What the recipient organisation's emergency service has to act on (PendingReleases).
    await writeRecord(ctx, keyOf(ctx, 'pending-release', transfer.recipientMspId, now, txId), opening);
    await recordEvent(ctx, recordId, {
      kind: 'breakGlass',
      actorId: doctor.userId,
      actorMspId: doctor.mspId,
      subjectId: '',
      detail: `${reason} until ${opening.expiresAt}`,
    });
    const review: ReviewRecord = {
      docType: 'review',
      reviewId: txId,
      recordId,
      doctorId: doctor.userId,
      reasonCode: reason,
      justificationHash,
      openedAt: now,
      status: 'open',
      attestation,
    };
    await writeRecord(ctx, keyOf(ctx, 'review', 'open', txId), review);
    ctx.stub.setEvent(
      'BreakGlassOpened',
      marshal({
        recordId,
        doctorId: doctor.userId,
        recipientId: transfer.recipientId,
        reasonCode: reason,
        openedAt: now,
        expiresAt: opening.expiresAt,
        reviewId: txId,
      }),
    );
    return JSON.stringify({ outcome: 'opened', reviewId: txId, expiresAt: opening.expiresAt });
  }

  /**
   * An admin sets how many openings each doctor of its own organisation may
   * make in 24 hours (default {@link DEFAULT_OPENINGS_PER_DAY}); past it an
   * opening is refused and recorded as an alert.
   */
  @Transaction()
  public async SetOpeningLimit(ctx: Context, perDay: number): Promise<void> {
    const limit = validateOpeningLimit(perDay);
    const { caller: admin, record } = await activeUser(ctx);
    requirePermission(record.role, 'manageEmergencyKey');
    const now = txTime(ctx);
    const entry: OpeningLimitRecord = {
      docType: 'opening-limit',
      mspId: admin.mspId,
      perDay: limit,
      setBy: admin.userId,
      setAt: now,
    };
    await writeRecord(ctx, keyOf(ctx, 'opening-limit', admin.mspId), entry);
    ctx.stub.setEvent('OpeningLimitSet', marshal(entry));
  }

  /**
   * What auditors are told, oldest first: openings refused for a doctor's
   * daily limit, and emergency key sets taking effect.
   */
  @Transaction(false)
  @Returns('string')
  public async Alerts(ctx: Context, pageSize: number, bookmark: string): Promise<string> {
    const { record: auditor } = await activeUser(ctx);
    requirePermission(auditor.role, 'audit');
    return JSON.stringify(
      await readPage<BreakGlassAlertRecord | KeySetAlertRecord>(ctx, 'alert', [], pageSize, bookmark),
    );
  }

  /**
   * For a holder of the recipient organisation's emergency key set: the
   * record's envelope with the data key's emergency shares (never the
   * recipient's own wrapped key), while a break-glass opening by `doctorId` is
   * in force and its key not yet released. A holder can unwrap only their own
   * parts, which reveal nothing of the key alone.
   */
  @Transaction(false)
  @Returns('string')
  public async ReadEmergencyEnvelope(ctx: Context, recordId: string, doctorId: string): Promise<string> {
    const { transfer } = await this.openingInForce(ctx, recordId, doctorId);
    const bytes = await ctx.stub.getPrivateData(
      collectionFor(transfer.senderMspId, transfer.recipientMspId),
      envelopeKey(ctx, recordId, transfer.recipientId),
    );
    if (bytes.length === 0) {
      throw new ChaincodeError('NOT_FOUND', `no envelope of record ${recordId} on this peer`);
    }
    const envelope = unmarshal(bytes) as EnvelopeRecord;
    if (envelope.emergencyShares === undefined) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the sender of record ${recordId} did not split its key for an emergency key set`,
      );
    }
    await requireHolder(ctx, transfer.recipientMspId, envelope.emergencyShares.keySetVersion);
    const released: Partial<EnvelopeRecord> = { ...envelope };
    delete released.salt;
    delete released.wrappedKey;
    return JSON.stringify(released);
  }

  /**
   * A holder of the recipient organisation's emergency key set deposits their
   * key share for the doctor of a break-glass opening in force (first of two
   * steps, see envelopes.ts): transient `envelope` is an EnvelopeRecord whose
   * `keyShare` holds the holder's parts re-wrapped for the doctor, and no
   * wrapped key. An earlier deposit not yet contributed is replaced.
   */
  @Transaction()
  public async DepositKeyShare(ctx: Context, recordId: string, doctorId: string): Promise<void> {
    const { transfer, opening } = await this.openingInForce(ctx, recordId, doctorId);
    const { caller: holder } = await activeUser(ctx);
    // A contributed share is referenced by the opening: never replaced.
    if ((opening.shares ?? []).some((s) => s.holderId === holder.userId)) {
      throw new ChaincodeError('ALREADY_EXISTS', 'you contributed your share for this opening already');
    }
    await depositEnvelope(
      ctx,
      shareSlot(transfer, opening, holder.userId),
      {
        recordId,
        readerId: doctorId,
        senderId: transfer.senderId,
        contentHash: transfer.contentHash,
        depositorId: holder.userId,
      },
      'unreferenced',
      (envelope) => {
        if (envelope.keyShare?.holderId !== holder.userId || envelope.emergencyShares !== undefined) {
          throw new ChaincodeError(
            'INVALID_ARGUMENT',
            "a key-share deposit carries the depositor's own key share, and nothing of anyone else's",
          );
        }
      },
    );
  }

  /**
   * A holder contributes the key share they deposited (DepositKeyShare),
   * named by its SHA-256 `envelopeHash`. Each contribution is recorded; with
   * `threshold` holders' contributions the key is released to the doctor.
   */
  @Transaction()
  @Param('envelopeHash', 'string', 'SHA-256 of the deposited key share, hex')
  @Param('keySetVersion', 'number', 'the emergency key set the record was split for')
  @Returns('string')
  public async ContributeKeyShare(
    ctx: Context,
    recordId: string,
    doctorId: string,
    keySetVersion: number,
    envelopeHash: string,
  ): Promise<string> {
    validateEnvelopeHash(envelopeHash);
    const { transfer, opening, key, now } = await this.openingInForce(ctx, recordId, doctorId);
    const { caller: holder } = await activeUser(ctx);
    const keySet = await requireHolder(ctx, transfer.recipientMspId, keySetVersion);
    if (opening.keySetVersion !== undefined && opening.keySetVersion !== keySetVersion) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the shares of this opening are for key set version ${String(opening.keySetVersion)}`,
      );
    }
    const shares = opening.shares ?? [];
    if (shares.some((s) => s.holderId === holder.userId)) {
      throw new ChaincodeError('ALREADY_EXISTS', 'you contributed your share for this opening already');
    }
    await requireDeposited(ctx, shareSlot(transfer, opening, holder.userId), holder.userId, envelopeHash);
    const contributed = [...shares, { holderId: holder.userId, envelopeHash, at: now }];
    const released = contributed.length >= keySet.threshold;
    await writeRecord(ctx, key, {
      ...opening,
      keySetVersion,
      shares: contributed,
      ...(released ? { keyReleasedAt: now } : {}),
    } satisfies BreakGlassRecord);
    await recordEvent(ctx, recordId, {
      kind: 'keyRelease',
      actorId: holder.userId,
      actorMspId: holder.mspId,
      subjectId: doctorId,
      detail: released ? 'released' : `share ${String(contributed.length)} of ${String(keySet.threshold)}`,
    });
    ctx.stub.setEvent(
      'BreakGlassKeyShared',
      marshal({
        recordId,
        doctorId,
        holderId: holder.userId,
        shares: contributed.length,
        threshold: keySet.threshold,
      }),
    );
    if (released) {
      await ctx.stub.deleteState(
        keyOf(ctx, 'pending-release', transfer.recipientMspId, opening.openedAt, opening.txId),
      );
      ctx.stub.setEvent('BreakGlassKeyReleased', marshal({ recordId, doctorId, releasedAt: now }));
    }
    return JSON.stringify({ shares: contributed.length, threshold: keySet.threshold, released });
  }

  /**
   * For the emergency service (an admin) of the caller's organisation: the
   * break-glass openings of records it received that wait for their key, still
   * in force, oldest first, so the record and the doctor need not come from
   * outside the app. A page of at most `pageSize` entries is looked at;
   * expired ones are left out, so a page may hold fewer.
   */
  @Transaction(false)
  @Returns('string')
  public async PendingReleases(ctx: Context, pageSize: number, bookmark: string): Promise<string> {
    const { caller: admin, record } = await activeUser(ctx);
    requirePermission(record.role, 'manageEmergencyKey');
    const page = await readPage<BreakGlassRecord>(ctx, 'pending-release', [admin.mspId], pageSize, bookmark);
    const now = Date.parse(txTime(ctx));
    return JSON.stringify({
      records: page.records.filter((o) => Date.parse(o.expiresAt) > now),
      bookmark: page.bookmark,
    });
  }

  /** An auditor closes the review of a break-glass opening with a finding and the hash of a note kept off the ledger. */
  @Transaction()
  @Param('finding', 'string', 'justified or unjustified')
  public async CloseReview(ctx: Context, reviewId: string, finding: string, noteHash: string): Promise<void> {
    if (!/^[0-9a-f]{64}$/.test(reviewId)) {
      throw new ChaincodeError('INVALID_ARGUMENT', 'reviewId must be a transaction id (64 hex characters)');
    }
    if (finding !== 'justified' && finding !== 'unjustified') {
      throw new ChaincodeError('INVALID_ARGUMENT', 'finding must be justified or unjustified');
    }
    validateTextHash('noteHash', noteHash);
    const { record: auditor } = await activeUser(ctx);
    requirePermission(auditor.role, 'closeReview');
    const openKey = keyOf(ctx, 'review', 'open', reviewId);
    const review = await requireRecord<ReviewRecord>(ctx, openKey, `open review ${reviewId}`);
    // The organisations that hold the record review it, never the opener.
    const transfer = await requireTransfer(ctx, review.recordId);
    if (auditor.mspId !== transfer.senderMspId && auditor.mspId !== transfer.recipientMspId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `only auditors of ${transfer.senderMspId} or ${transfer.recipientMspId}, which hold record ${review.recordId}, review its openings`,
      );
    }
    if (auditor.userId === review.doctorId) {
      throw new ChaincodeError('ACCESS_DENIED', 'no one reviews their own opening');
    }
    const now = txTime(ctx);
    await ctx.stub.deleteState(openKey);
    const closed: ReviewRecord = {
      ...review,
      status: 'closed',
      finding,
      closedBy: auditor.userId,
      closedAt: now,
      noteHash,
    };
    await writeRecord(ctx, keyOf(ctx, 'review', 'closed', reviewId), closed);
    await recordEvent(ctx, review.recordId, {
      kind: 'review',
      actorId: auditor.userId,
      actorMspId: auditor.mspId,
      subjectId: review.doctorId,
      detail: finding,
    });
    ctx.stub.setEvent(
      'BreakGlassReviewed',
      marshal({ reviewId, recordId: review.recordId, finding, closedAt: now }),
    );
  }

  /** Break-glass openings still awaiting an auditor's review. */
  @Transaction(false)
  @Returns('string')
  public async OpenReviews(ctx: Context, pageSize: number, bookmark: string): Promise<string> {
    const { record: auditor } = await activeUser(ctx);
    requirePermission(auditor.role, 'audit');
    return JSON.stringify(await readPage<ReviewRecord>(ctx, 'review', ['open'], pageSize, bookmark));
  }

  private async openingInForce(
    ctx: Context,
    recordId: string,
    doctorId: string,
  ): Promise<{ transfer: TransferRecord; opening: BreakGlassRecord; key: string; now: string }> {
    validateUserId(doctorId);
    const transfer = await requireTransfer(ctx, recordId);
    const { caller: admin, record: adminRecord } = await activeUser(ctx);
    requirePermission(adminRecord.role, 'manageEmergencyKey');
    if (admin.mspId !== transfer.recipientMspId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `only ${transfer.recipientMspId}'s emergency service may release keys of record ${recordId}`,
      );
    }
    const key = keyOf(ctx, 'break-glass', recordId, doctorId);
    const opening = await requireRecord<BreakGlassRecord>(
      ctx,
      key,
      `break-glass opening of record ${recordId} by ${doctorId}`,
    );
    const now = txTime(ctx);
    if (Date.parse(opening.expiresAt) <= Date.parse(now) || transfer.status !== 'active') {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the break-glass opening of record ${recordId} is no longer in force`,
      );
    }
    if (opening.keyReleasedAt !== undefined) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the key of record ${recordId} was already released to ${doctorId}`,
      );
    }
    return { transfer, opening, key, now };
  }
}

/** Where one holder's key share for a break-glass doctor lives: the recipient's and the doctor's collection. */
function shareSlot(transfer: TransferRecord, opening: BreakGlassRecord, holderId: string): EnvelopeSlot {
  return {
    collection: collectionFor(transfer.recipientMspId, opening.doctorMspId),
    recordId: transfer.recordId,
    readerId: opening.doctorId,
    kind: shareKind(holderId),
  };
}

/** The key set of `version` of `mspId`, which the caller must hold a share of. */
async function requireHolder(ctx: Context, mspId: string, version: number): Promise<EmergencyKeySetRecord> {
  if (!Number.isInteger(version) || version < 1) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'keySetVersion must be a key set version (1 or more)');
  }
  const { caller } = await activeUser(ctx);
  const keySet = await requireRecord<EmergencyKeySetRecord>(
    ctx,
    keyOf(ctx, 'emergency-keyset', mspId, 'version', String(version).padStart(6, '0')),
    `emergency key set ${String(version)} of ${mspId}`,
  );
  if (!keySet.holders.some((h) => h.userId === caller.userId)) {
    throw new ChaincodeError(
      'ACCESS_DENIED',
      `you hold no share of ${mspId}'s emergency key set ${String(version)}`,
    );
  }
  return keySet;
}

/** The daily opening limit of `mspId`'s doctors. */
async function openingLimitOf(ctx: Context, mspId: string): Promise<number> {
  const set = await readRecord<OpeningLimitRecord>(ctx, keyOf(ctx, 'opening-limit', mspId));
  return set?.perDay ?? DEFAULT_OPENINGS_PER_DAY;
}
