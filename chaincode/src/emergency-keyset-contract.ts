import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import {
  KEYSET_APPROVALS,
  parseKeySetShape,
  type EmergencyKeySetRecord,
  type KeySetAlertRecord,
  type KeySetHolder,
} from './emergency-keyset';
import { ChaincodeError } from './errors';
import { marshal } from './json';
import { activeUser } from './registry-contract';
import { requirePermission } from './roles';
import { keyOf, readRecord, requireRecord, writeRecord } from './state';
import { txTime } from './time';
import type { UserRecord } from './user';

const MSP_ID = /^[A-Za-z][A-Za-z0-9]{1,30}MSP$/;

/**
 * Emergency key sets (see {@link EmergencyKeySetRecord}): an admin proposes
 * which operators hold shares and how many must act together; a second admin
 * approves; the set then replaces the organisation's previous one, and
 * auditors are told. Senders' devices read the active set (a verified read),
 * check its approvals and each holder's key binding, and split each data key
 * for it.
 */
@Info({
  title: 'EmergencyKeySetContract',
  description: 'Emergency key sets: shares held by operators, approved by two admins',
})
export class EmergencyKeySetContract extends Contract {
  constructor() {
    super('emergencykeys');
  }

  /**
   * An admin proposes a key set for its own organisation: `holders`, a JSON
   * array of 2 to 7 of its active admins' user ids, of whom `threshold` must
   * act together. The proposer's approval is the first; an earlier proposal
   * not yet approved is replaced.
   */
  @Transaction()
  @Param(
    'holders',
    'string',
    'JSON array of the holders\u2019 user ids (active admins of the caller\u2019s organisation)',
  )
  @Returns('string')
  public async ProposeKeySet(ctx: Context, holders: string, threshold: number): Promise<string> {
    const shape = parseKeySetShape(holders, threshold);
    const { caller: admin, record } = await activeUser(ctx);
    requirePermission(record.role, 'manageEmergencyKey');
    const members: KeySetHolder[] = [];
    for (const userId of shape.holderIds) {
      const user = await readRecord<UserRecord>(ctx, keyOf(ctx, 'user', userId));
      if (user?.role !== 'admin' || user.mspId !== admin.mspId || user.status !== 'active') {
        throw new ChaincodeError(
          'FAILED_PRECONDITION',
          `holder ${userId} is not an active admin of ${admin.mspId} registered on the ledger`,
        );
      }
      members.push({ userId, spki: user.encryptionKey.spki, fingerprint: user.encryptionKey.fingerprint });
    }
    const active = await readRecord<EmergencyKeySetRecord>(
      ctx,
      keyOf(ctx, 'emergency-keyset', admin.mspId, 'active'),
    );
    const now = txTime(ctx);
    const proposal: EmergencyKeySetRecord = {
      docType: 'emergency-keyset',
      mspId: admin.mspId,
      version: (active?.version ?? 0) + 1,
      threshold: shape.threshold,
      holders: members,
      status: 'proposed',
      proposedBy: admin.userId,
      proposedAt: now,
      approvals: [{ adminId: admin.userId, at: now, txId: ctx.stub.getTxID() }],
    };
    await writeRecord(ctx, keyOf(ctx, 'emergency-keyset', admin.mspId, 'proposal'), proposal);
    ctx.stub.setEvent(
      'EmergencyKeySetProposed',
      marshal({ mspId: admin.mspId, version: proposal.version, proposedBy: admin.userId }),
    );
    return JSON.stringify(proposal);
  }

  /**
   * Another admin of the organisation approves the proposal of `version`.
   * With {@link KEYSET_APPROVALS} approvals the set takes effect, replacing
   * the previous one, and an alert tells auditors. Refused when a holder has
   * since been suspended or has changed their key.
   */
  @Transaction()
  @Returns('string')
  public async ApproveKeySet(ctx: Context, version: number): Promise<string> {
    const { caller: admin, record } = await activeUser(ctx);
    requirePermission(record.role, 'manageEmergencyKey');
    const proposalKey = keyOf(ctx, 'emergency-keyset', admin.mspId, 'proposal');
    const proposal = await requireRecord<EmergencyKeySetRecord>(
      ctx,
      proposalKey,
      `proposed emergency key set of ${admin.mspId}`,
    );
    if (proposal.version !== version) {
      throw new ChaincodeError(
        'FAILED_PRECONDITION',
        `the proposal of ${admin.mspId} is version ${String(proposal.version)}, not ${String(version)}`,
      );
    }
    if (proposal.approvals.some((a) => a.adminId === admin.userId)) {
      throw new ChaincodeError('ALREADY_EXISTS', 'you approved this key set already: another admin must');
    }
    for (const holder of proposal.holders) {
      const user = await readRecord<UserRecord>(ctx, keyOf(ctx, 'user', holder.userId));
      if (user?.status !== 'active' || user.encryptionKey.fingerprint !== holder.fingerprint) {
        throw new ChaincodeError(
          'FAILED_PRECONDITION',
          `holder ${holder.userId} was suspended or changed their key since the proposal: propose again`,
        );
      }
    }
    const now = txTime(ctx);
    const approvals = [...proposal.approvals, { adminId: admin.userId, at: now, txId: ctx.stub.getTxID() }];
    if (approvals.length < KEYSET_APPROVALS) {
      const pending: EmergencyKeySetRecord = { ...proposal, approvals };
      await writeRecord(ctx, proposalKey, pending);
      return JSON.stringify(pending);
    }
    const activated: EmergencyKeySetRecord = { ...proposal, approvals, status: 'active', activatedAt: now };
    await writeRecord(ctx, keyOf(ctx, 'emergency-keyset', admin.mspId, 'active'), activated);
    await writeRecord(
      ctx,
      keyOf(ctx, 'emergency-keyset', admin.mspId, 'version', String(activated.version).padStart(6, '0')),
      activated,
    );
    await ctx.stub.deleteState(proposalKey);
    const alert: KeySetAlertRecord = {
      docType: 'alert',
      kind: 'emergencyKeySet',
      txId: ctx.stub.getTxID(),
      mspId: admin.mspId,
      version: activated.version,
      threshold: activated.threshold,
      holders: activated.holders.map((h) => h.userId),
      approvedBy: approvals.map((a) => a.adminId),
      at: now,
    };
    await writeRecord(ctx, keyOf(ctx, 'alert', now, alert.txId), alert);
    ctx.stub.setEvent('EmergencyKeySetReplaced', marshal(alert));
    return JSON.stringify(activated);
  }

  /**
   * An organisation's emergency key set: the active one (`version` 0), a
   * given earlier version (records sent before a replacement are split for
   * the set of their time), or, for its own admins, the pending proposal (-1).
   */
  @Transaction(false)
  @Returns('string')
  public async GetKeySet(ctx: Context, mspId: string, version: number): Promise<string> {
    if (!MSP_ID.test(mspId)) throw new ChaincodeError('INVALID_ARGUMENT', 'mspId must be an MSP ID');
    if (!Number.isInteger(version) || version < -1) {
      throw new ChaincodeError(
        'INVALID_ARGUMENT',
        'version must be -1 (the proposal), 0 (the active set) or a version',
      );
    }
    const { caller, record } = await activeUser(ctx);
    if (version === -1 && (record.role !== 'admin' || caller.mspId !== mspId)) {
      throw new ChaincodeError('ACCESS_DENIED', `only admins of ${mspId} read its proposed key set`);
    }
    const attributes =
      version === -1
        ? ['proposal']
        : version === 0
          ? ['active']
          : ['version', String(version).padStart(6, '0')];
    const keySet = await requireRecord<EmergencyKeySetRecord>(
      ctx,
      keyOf(ctx, 'emergency-keyset', mspId, ...attributes),
      `emergency key set of ${mspId}`,
    );
    return JSON.stringify(keySet);
  }
}
