import { Context, Contract, Info, Param, Returns, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import { callerOf, creatorCertificate, identityOfCertificate, type CertificateIdentity } from './identity';
import { marshal } from './json';
import { requirePermission, type Role } from './roles';
import { keyOf, readPage, readRecord, requireRecord, writeRecord } from './state';
import { txTime } from './time';
import {
  parseEncryptionKey,
  signingKeyOfCertificate,
  validateUserId,
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
   * An organisation admin registers a user of its own organisation from the
   * user's enrolment certificate; the user's role is the certificate's `role`
   * attribute and must equal `role`.
   */
  @Transaction()
  @Param('certificatePem', 'string', 'the user enrolment certificate (PEM)')
  @Param('role', 'string', 'the role the admin expects the certificate to carry')
  @Param('encryptionKey', 'string', 'the user public encryption key, base64 SPKI')
  public async RegisterUser(
    ctx: Context,
    certificatePem: string,
    role: string,
    encryptionKey: string,
  ): Promise<void> {
    const admin = callerOf(ctx);
    requirePermission(admin.role, 'registerUser');
    const user = identityOfCertificate(admin.mspId, certificatePem);
    if (user.issuer !== admin.issuer) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `an admin of ${admin.mspId} registers only users enrolled by its own CA`,
      );
    }
    if (user.role === undefined || user.role !== role) {
      throw new ChaincodeError(
        'INVALID_ARGUMENT',
        `role ${role} does not match the certificate role attribute ${user.role ?? '(none)'}`,
      );
    }
    await addUser(ctx, user, certificatePem, user.role, encryptionKey, admin.userId);
  }

  /**
   * A user registers themselves, with the role their CA-issued certificate
   * carries: the CA is the trust anchor for roles (the operator registered the
   * user there with that role). The same entry RegisterUser writes, registered
   * by the user. Admins and gateways cannot register themselves.
   */
  @Transaction()
  @Param('encryptionKey', 'string', 'the caller public encryption key, base64 SPKI')
  public async RegisterSelf(ctx: Context, encryptionKey: string): Promise<void> {
    const caller = callerOf(ctx);
    const role = requirePermission(caller.role, 'registerSelf');
    await addUser(ctx, caller, creatorCertificate(ctx), role, encryptionKey, caller.userId);
  }

  /** An admin suspends a user of its own organisation; a suspended user can do nothing. */
  @Transaction()
  public async SuspendUser(ctx: Context, userId: string): Promise<void> {
    await this.setStatus(ctx, userId, 'suspended');
  }

  /** An admin reactivates a suspended user of its own organisation. */
  @Transaction()
  public async ReactivateUser(ctx: Context, userId: string): Promise<void> {
    await this.setStatus(ctx, userId, 'active');
  }

  /** A user replaces their own encryption key; the old one is kept in the key history. */
  @Transaction()
  public async RotateEncryptionKey(ctx: Context, encryptionKey: string): Promise<void> {
    const { record, key } = await activeUser(ctx);
    requirePermission(record.role, 'rotateOwnKey');
    const now = txTime(ctx);
    const next = parseEncryptionKey(encryptionKey, now);
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
    const admin = callerOf(ctx);
    requirePermission(admin.role, 'setUserStatus');
    const key = keyOf(ctx, 'user', validateUserId(userId));
    const record = await requireRecord<UserRecord>(ctx, key, `user ${userId}`);
    if (record.mspId !== admin.mspId) {
      throw new ChaincodeError(
        'ACCESS_DENIED',
        `an admin of ${admin.mspId} manages only its own organisation's users`,
      );
    }
    if (record.status === status) {
      throw new ChaincodeError('FAILED_PRECONDITION', `user ${userId} is already ${status}`);
    }
    record.status = status;
    record.updatedAt = txTime(ctx);
    await writeRecord(ctx, key, record);
    ctx.stub.setEvent('UserStatusChanged', marshal({ userId, status }));
  }
}

/** Writes a new registry entry for `user`; ALREADY_EXISTS if there is one. */
async function addUser(
  ctx: Context,
  user: CertificateIdentity,
  certificatePem: string,
  role: Role,
  encryptionKey: string,
  registeredBy: string,
): Promise<void> {
  const key = keyOf(ctx, 'user', user.userId);
  if ((await readRecord<UserRecord>(ctx, key)) !== undefined) {
    throw new ChaincodeError('ALREADY_EXISTS', `user ${user.userId} is already registered`);
  }
  const now = txTime(ctx);
  const record: UserRecord = {
    docType: 'user',
    userId: user.userId,
    mspId: user.mspId,
    role,
    status: 'active',
    encryptionKey: parseEncryptionKey(encryptionKey, now),
    keyHistory: [],
    signingKey: signingKeyOfCertificate(certificatePem),
    registeredAt: now,
    registeredBy,
    updatedAt: now,
  };
  await writeRecord(ctx, key, record);
  ctx.stub.setEvent('UserRegistered', marshal({ userId: user.userId, mspId: user.mspId, role }));
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
  return { caller, record, key };
}

/** Admins (by certificate) and active registered users may read the registry. */
async function registryReader(ctx: Context): Promise<void> {
  const caller = callerOf(ctx);
  if (caller.role === 'admin') return;
  const { record } = await activeUser(ctx);
  requirePermission(record.role, 'readRegistry');
}
