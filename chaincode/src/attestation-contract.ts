import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import type { AccessEvent } from './access';
import {
  activeGateway,
  gatewayPublicKey,
  nonceForgettableAt,
  validateRefusal,
  type AttestationNonceRecord,
  type GatewayRecord,
  type RefusalAction,
  type RefusalRecord,
} from './attestation';
import { ChaincodeError } from './errors';
import { callerOf } from './identity';
import { marshal, unmarshal } from './json';
import { activeUser } from './registry-contract';
import { requirePermission } from './roles';
import {
  activityKey,
  keyOf,
  pageSize as validatePageSize,
  readRecord,
  requireRecord,
  writeRecord,
} from './state';
import { txTime } from './time';
import { validateRecordId, type TransferRecord } from './transfer';
import { validateUserId, type UserRecord } from './user';

/**
 * Organisations' gateway services and what they decide off the ledger. A
 * gateway checks each user's device health and second factor before every
 * send and record access; it announces its signing key here, signs an
 * attestation the user's own transaction carries (see requireAttestation),
 * and records the requests it refuses, so audit sees them too.
 */
@Info({ title: 'AttestationContract', description: 'Gateway keys and the requests gateways refuse' })
export class AttestationContract extends Contract {
  constructor() {
    super('attestation');
  }

  /**
   * A gateway (certificate role `gateway`) publishes its certificate's P-256
   * public key, against which attestations it signs are verified. Idempotent;
   * a re-enrolled gateway replaces its key and the old one is kept. A
   * suspended gateway cannot announce itself back into service.
   */
  @Transaction()
  public async AnnounceGateway(ctx: Context): Promise<void> {
    const gateway = callerOf(ctx);
    requirePermission(gateway.role, 'announceGateway');
    const publicKey = gatewayPublicKey(ctx);
    const key = keyOf(ctx, 'gateway', gateway.userId);
    const current = await readRecord<GatewayRecord>(ctx, key);
    if (current?.status === 'suspended') {
      throw new ChaincodeError('ACCESS_DENIED', 'the calling gateway is suspended');
    }
    if (current?.publicKey === publicKey) {
      return;
    }
    const now = txTime(ctx);
    const previousKeys = current
      ? [
          ...current.previousKeys,
          { publicKey: current.publicKey, announcedAt: current.announcedAt, retiredAt: now },
        ]
      : [];
    const record: GatewayRecord = {
      docType: 'gateway',
      gatewayId: gateway.userId,
      mspId: gateway.mspId,
      publicKey,
      status: 'active',
      announcedAt: now,
      previousKeys,
    };
    await writeRecord(ctx, key, record);
    ctx.stub.setEvent(
      'GatewayAnnounced',
      marshal({ gatewayId: gateway.userId, mspId: gateway.mspId, announcedAt: now }),
    );
  }

  /**
   * A gateway forgets the nonces of its attestations that can no longer be
   * presented (see NONCE_RETENTION_MS), looking at up to `pageSize` of them in
   * key order. Only its own, and only while it is active. Returns
   * `{ scanned, pruned, more }`; `more` says another call may find more.
   */
  @Transaction()
  @Returns('string')
  public async PruneNonces(ctx: Context, pageSize: number): Promise<string> {
    const gateway = callerOf(ctx);
    requirePermission(gateway.role, 'pruneNonces');
    await activeGateway(ctx, gateway);
    const limit = validatePageSize(pageSize);
    const now = Date.parse(txTime(ctx));
    const iterator = await ctx.stub.getStateByPartialCompositeKey('attestationNonce', [gateway.userId]);
    let scanned = 0;
    let pruned = 0;
    let more = false;
    try {
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
        if (scanned === limit) {
          more = true;
          break;
        }
        scanned++;
        const record = unmarshal(next.value.value) as AttestationNonceRecord;
        if (nonceForgettableAt(record) < now) {
          await ctx.stub.deleteState(next.value.key);
          pruned++;
        }
      }
    } finally {
      await iterator.close();
    }
    return JSON.stringify({ scanned, pruned, more });
  }

  /** A gateway's record and public key: for active gateways and active registered users (admins among them). */
  @Transaction(false)
  @Returns('string')
  public async GetGateway(ctx: Context, gatewayId: string): Promise<string> {
    if (!/^[0-9a-f]{64}$/.test(gatewayId)) {
      throw new ChaincodeError('INVALID_ARGUMENT', 'gatewayId must be 64 lower-case hexadecimal characters');
    }
    const caller = callerOf(ctx);
    if (caller.role === 'gateway') {
      await activeGateway(ctx, caller);
    } else {
      await activeUser(ctx);
    }
    const record = await requireRecord<GatewayRecord>(
      ctx,
      keyOf(ctx, 'gateway', gatewayId),
      `gateway ${gatewayId}`,
    );
    return JSON.stringify(record);
  }

  /**
   * A gateway records that it refused a request of a user of its own
   * organisation before it reached the ledger. Pseudonymous ids and codes
   * only. With a record id, the refusal also joins that record's access trail
   * (audit:RecordAccesses) as a denial; it always joins the user's activity
   * (audit:UserActivity, kind `refusal`).
   */
  @Transaction()
  @Param('action', 'string', 'send, access, breakGlass, login or grant')
  @Param('recordId', 'string', 'the record concerned, or empty')
  @Param('code', 'string', 'why, as a code such as DEVICE_UNHEALTHY or TOTP_REPLAYED')
  @Param('reason', 'string', '1 to 300 printable characters, no personal data')
  @Param('evidenceHash', 'string', 'SHA-256 of the refused device report, hex, or empty')
  @Returns('string')
  public async RecordRefusal(
    ctx: Context,
    userId: string,
    action: string,
    recordId: string,
    code: string,
    reason: string,
    evidenceHash: string,
  ): Promise<string> {
    const gateway = callerOf(ctx);
    requirePermission(gateway.role, 'recordRefusal');
    await activeGateway(ctx, gateway);
    validateUserId(userId);
    if (recordId !== '') validateRecordId(recordId);
    const refused = validateRefusal(action, code, reason, evidenceHash);
    const user = await requireRecord<UserRecord>(ctx, keyOf(ctx, 'user', userId), `user ${userId}`);
    if (user.mspId !== gateway.mspId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `a gateway of ${gateway.mspId} records refusals only for users of its own organisation`,
      );
    }
    if (recordId !== '') await requireRefusalSubject(ctx, recordId, user, refused.action);
    const now = txTime(ctx);
    const txId = ctx.stub.getTxID();
    const refusal: RefusalRecord = {
      docType: 'refusal',
      txId,
      userId,
      mspId: user.mspId,
      action: refused.action,
      ...(recordId === '' ? {} : { recordId }),
      code: refused.code,
      reason: refused.reason,
      ...(refused.evidenceHash === '' ? {} : { evidenceHash: refused.evidenceHash }),
      gatewayId: gateway.userId,
      at: now,
    };
    await writeRecord(ctx, keyOf(ctx, 'refusal', txId), refusal);
    await writeRecord(ctx, activityKey('refusal', userId, now, txId), { txId });
    if (recordId !== '') {
      const event: AccessEvent = {
        docType: 'access',
        recordId,
        txId,
        userId,
        mspId: user.mspId,
        role: user.role,
        outcome: 'denied',
        reason: `refused by gateway: ${refused.code}: ${refused.reason}`,
        at: now,
        refusedBy: gateway.userId,
        refusedAction: refused.action,
      };
      await writeRecord(ctx, keyOf(ctx, 'access', recordId, txId), event);
    }
    ctx.stub.setEvent('RequestRefused', marshal(refusal));
    return JSON.stringify({ txId });
  }
}

/**
 * A refusal names a record only when it is one the user could have been
 * refused for: an existing record they sent, received, were granted or
 * opened in an emergency, or any record for a doctor's break-glass (any doctor
 * may ask to open any record in an emergency). A send or a sign-in names no
 * record. So a gateway cannot write refusals into the trail of records its
 * users have nothing to do with.
 */
async function requireRefusalSubject(
  ctx: Context,
  recordId: string,
  user: UserRecord,
  action: RefusalAction,
): Promise<void> {
  if (action === 'send' || action === 'login') {
    throw new ChaincodeError('INVALID_ARGUMENT', `a refused ${action} names no record`);
  }
  const transfer = await requireRecord<TransferRecord>(
    ctx,
    keyOf(ctx, 'transfer', recordId),
    `record ${recordId}`,
  );
  const party =
    user.userId === transfer.senderId ||
    user.userId === transfer.recipientId ||
    (action === 'breakGlass' && user.role === 'doctor') ||
    (await readRecord(ctx, keyOf(ctx, 'grant', recordId, user.userId))) !== undefined ||
    (await readRecord(ctx, keyOf(ctx, 'break-glass', recordId, user.userId))) !== undefined;
  if (!party) {
    throw new ChaincodeError('ACCESS_DENIED', `user ${user.userId} has no part in record ${recordId}`);
  }
}
