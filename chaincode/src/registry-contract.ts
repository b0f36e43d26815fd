import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import type { GatewayRecord } from './attestation';
import { ChaincodeError } from './errors';
import { verify } from 'node:crypto';
import { callerOf, creatorCertificate, type CertificateIdentity } from './identity';
import { marshal } from './json';
import { spkiPublicKey } from './public-keys';
import { requirePermission } from './roles';
import { keyOf, readPage, readRecord, requireRecord, writeRecord } from './state';
import { txTime } from './time';
import {
  keyBindingMessage,
  parseEncryptionKey,
  signingKeyOfCertificate,
  validateUserId,
  type EncryptionKey,
  type SigningKey,
  type UserRecord,
  type UserStatus,
} from './user';

/**
 * The user registry: who may act, in which role, with which public encryption
 * key. Roles come from certificates, never from arguments.
 */
@Info({ title: 'RegistryContract', description: 'Users, roles and encryption keys of the consortium' })
export class RegistryContract extends Contract {
  constructor() {
    super('registry');
  }

  /**
   * A user registers themselves, with the role their CA-issued certificate
   * carries: the CA is the trust anchor for roles (the operator registered the
   * user there with that role). Only the user can: the certificate is the
   * transaction's creator, which Fabric validated against the organisation's
   * MSP (so no self-made certificate naming the CA gets in), and `binding` is
   * their signature over the key binding (key version 1) with that
   * certificate's key. An admin registers the same way (it needs an entry,
   * which can be suspended, before it may act, and a key for its emergency
   * duties); its certificate holds the admin role only with the powers
   * attribute, which only the CA's bootstrap registrar issues. Gateways
   * announce themselves instead (attestation:AnnounceGateway).
   */
  @Transaction()
  @Param('encryptionKey', 'string', 'the caller public encryption key, base64 SPKI')
  @Param('binding', 'string', "the caller's signature over the key binding, base64 IEEE P1363")
  public async RegisterSelf(ctx: Context, encryptionKey: string, binding: string): Promise<void> {
    const caller = callerOf(ctx);
    const role = requirePermission(caller.role, 'registerSelf');
    const certificatePem = creatorCertificate(ctx);
    const key = keyOf(ctx, 'user', caller.userId);
    if ((await readRecord<UserRecord>(ctx, key)) !== undefined) {
      throw new ChaincodeError('ALREADY_EXISTS', `user ${caller.userId} is already registered`);
    }
    const now = txTime(ctx);
    const signingKey = signingKeyOfCertificate(certificatePem);
    const record: UserRecord = {
      docType: 'user',
      userId: caller.userId,
      mspId: caller.mspId,
      role,
      status: 'active',
      encryptionKey: boundKey(caller, signingKey, encryptionKey, binding, 1, now),
      keyHistory: [],
      signingKey,
      registeredAt: now,
      registeredBy: caller.userId,
      updatedAt: now,
    };
    await writeRecord(ctx, key, record);
    ctx.stub.setEvent('UserRegistered', marshal({ userId: caller.userId, mspId: caller.mspId, role }));
  }

  /**
   * An admin suspends a registry entry of its own organisation: a user,
   * another admin or a gateway (by the id its certificate gives). A suspended
   * one can do nothing: every function checks the caller's entry is active,
   * and a suspended gateway's attestations are refused. No admin changes its
   * own status, so one admin cannot undo its suspension by another.
   */
  @Transaction()
  public async SuspendUser(ctx: Context, userId: string): Promise<void> {
    await this.setStatus(ctx, userId, 'suspended');
  }

  /** An admin reactivates a suspended user, admin or gateway of its own organisation. */
  @Transaction()
  public async ReactivateUser(ctx: Context, userId: string): Promise<void> {
    await this.setStatus(ctx, userId, 'active');
  }

  /**
   * A user replaces their own encryption key, with `binding`, their signature
   * over the next key version's binding; the old key is kept in the key
   * history. Only with the certificate they registered with (activeUser):
   * another certificate for the same identity, which the organisation's
   * registrar could have issued, sets no key.
   */
  @Transaction()
  @Param('binding', 'string', "the caller's signature over the key binding, base64 IEEE P1363")
  public async RotateEncryptionKey(ctx: Context, encryptionKey: string, binding: string): Promise<void> {
    const { caller, record, key } = await activeUser(ctx);
    requirePermission(record.role, 'rotateOwnKey');
    const now = txTime(ctx);
    const version = (record.encryptionKey.version ?? 1) + 1;
    const next = boundKey(caller, record.signingKey, encryptionKey, binding, version, now);
    if (next.fingerprint === record.encryptionKey.fingerprint) {
      throw new ChaincodeError('INVALID_ARGUMENT', 'the new encryption key is the current one');
    }
    record.keyHistory.push({ ...record.encryptionKey, retiredAt: now });
    record.encryptionKey = next;
    record.updatedAt = now;
    await writeRecord(ctx, key, record);
    ctx.stub.setEvent('UserKeyRotated', marshal({ userId: record.userId, fingerprint: next.fingerprint }));
  }

  /** A registered user's entry (public key and fingerprint, role, status). */
  @Transaction(false)
  @Returns('string')
  public async GetUser(ctx: Context, userId: string): Promise<string> {
    await registryReader(ctx);
    const record = await requireRecord<UserRecord>(
      ctx,
      keyOf(ctx, 'user', validateUserId(userId)),
      `user ${userId}`,
    );
    return JSON.stringify(record);
  }

  /** The caller's own entry. */
  @Transaction(false)
  @Returns('string')
  public async WhoAmI(ctx: Context): Promise<string> {
    const caller = callerOf(ctx);
    const record = await requireRecord<UserRecord>(
      ctx,
      keyOf(ctx, 'user', caller.userId),
      'registry entry for the caller',
    );
    return JSON.stringify(record);
  }

  /** A page of registry entries, for choosing a recipient. */
  @Transaction(false)
  @Returns('string')
  public async ListUsers(ctx: Context, pageSize: number, bookmark: string): Promise<string> {
    await registryReader(ctx);
    return JSON.stringify(await readPage<UserRecord>(ctx, 'user', [], pageSize, bookmark));
  }

  private async setStatus(ctx: Context, userId: string, status: UserStatus): Promise<void> {
    const { caller: admin, record: adminRecord } = await activeUser(ctx);
    requirePermission(adminRecord.role, 'setUserStatus');
    validateUserId(userId);
    if (userId === admin.userId) {
      throw new ChaincodeError('ACCESS_DENIED', 'an admin cannot change its own status');
    }
    const userKey = keyOf(ctx, 'user', userId);
    const gatewayKey = keyOf(ctx, 'gateway', userId);
    const user = await readRecord<UserRecord>(ctx, userKey);
    const gateway = user ? undefined : await readRecord<GatewayRecord>(ctx, gatewayKey);
    const entry = user ?? gateway;
    if (entry === undefined) {
      throw new ChaincodeError('NOT_FOUND', `user ${userId} does not exist`);
    }
    if (entry.mspId !== admin.mspId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `an admin of ${admin.mspId} manages only its own organisation's users and gateways`,
      );
    }
    if (entry.status === status) {
      throw new ChaincodeError('FAILED_PRECONDITION', `user ${userId} is already ${status}`);
    }
    const now = txTime(ctx);
    if (user) {
      await writeRecord(ctx, userKey, { ...user, status, updatedAt: now });
    } else if (gateway) {
      await writeRecord(ctx, gatewayKey, { ...gateway, status, statusChangedAt: now });
    }
    ctx.stub.setEvent(
      'UserStatusChanged',
      marshal({ userId, kind: user ? user.role : 'gateway', status, by: admin.userId }),
    );
  }
}

/** The encryption key `spki` at `version`, if `binding` is the user's signature over its binding. */
function boundKey(
  user: CertificateIdentity,
  signingKey: SigningKey,
  spki: string,
  binding: string,
  version: number,
  now: string,
): EncryptionKey {
  const key = parseEncryptionKey(spki, now);
  const message = keyBindingMessage({
    userId: user.userId,
    mspId: user.mspId,
    spki: key.spki,
    fingerprint: key.fingerprint,
    version,
  });
  let valid = false;
  try {
    valid =
      binding.length <= 256 &&
      verify(
        'sha256',
        message,
        { key: spkiPublicKey(signingKey.spki), dsaEncoding: 'ieee-p1363' },
        Buffer.from(binding, 'base64'),
      );
  } catch {
    valid = false;
  }
  if (!valid) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      "the key binding is not the user's signature over (userId, mspId, key, fingerprint, version)",
    );
  }
  return { ...key, version, binding };
}

/** The caller's registry entry, which must exist and be active. */
export async function activeUser(
  ctx: Context,
): Promise<{ caller: CertificateIdentity; record: UserRecord; key: string }> {
  const caller = callerOf(ctx);
  const key = keyOf(ctx, 'user', caller.userId);
  const record = await readRecord<UserRecord>(ctx, key);
  if (record === undefined) {
    throw new ChaincodeError('ACCESS_DENIED', 'the caller is not registered');
  }
  if (record.status !== 'active') {
    throw new ChaincodeError('ACCESS_DENIED', 'the caller is suspended');
  }
  if (record.role !== caller.role) {
    throw new ChaincodeError('ACCESS_DENIED', 'the caller certificate role differs from the registered role');
  }
  // Another certificate for the same identity (one the organisation's registrar could issue) is not the user.
  if (signingKeyOfCertificate(creatorCertificate(ctx)).fingerprint !== record.signingKey.fingerprint) {
    throw new ChaincodeError(
      'ACCESS_DENIED',
      'the caller certificate is not the one the user registered with',
    );
  }
  return { caller, record, key };
}

/** Active registered users, admins among them, may read the registry. */
async function registryReader(ctx: Context): Promise<void> {
  const { record } = await activeUser(ctx);
  requirePermission(record.role, 'readRegistry');
}
