import type { Context } from 'fabric-contract-api';
import type { AccessOutcome, GrantRecord } from './access';
import type { BreakGlassRecord } from './emergency';
import { creatorCertificate, type CertificateIdentity } from './identity';
import { PERMISSIONS } from './roles';
import { keyOf, readRecord } from './state';
import type { TransferRecord } from './transfer';
import { signingKeyOfCertificate, type UserRecord } from './user';

/** The outcome of the access rules for one caller, record and moment. */
export interface Decision {
  outcome: AccessOutcome;
  reason: string;
  transfer?: TransferRecord;
  user?: UserRecord;
  /** For a granted access: which rule granted it, so which envelope the caller reads, and its recorded hash. */
  via?: { kind: 'recipient' | 'grant' | 'breakGlass'; envelopeHash?: string };
}

/**
 * The access rules, deny by default: the caller must be an active registered
 * user of a role that may access records, and either the record's recipient,
 * the holder of a current grant, or a doctor with a break-glass opening in force.
 */
export async function decide(
  ctx: Context,
  caller: CertificateIdentity,
  recordId: string,
  at: string,
): Promise<Decision> {
  const deny = (reason: string): Decision => ({ outcome: 'denied', reason });
  const transfer = await readRecord<TransferRecord>(ctx, keyOf(ctx, 'transfer', recordId));
  if (transfer === undefined) return deny('no such record');
  if (transfer.status !== 'active') {
    return deny(transfer.status === 'erased' ? 'the record was erased' : 'the record is being erased');
  }
  const user = await readRecord<UserRecord>(ctx, keyOf(ctx, 'user', caller.userId));
  if (user === undefined) return deny('the caller is not registered');
  if (user.status !== 'active') return deny('the caller is suspended');
  if (user.role !== caller.role) return deny('the certificate role differs from the registered role');
  if (signingKeyOfCertificate(creatorCertificate(ctx)).fingerprint !== user.signingKey.fingerprint) {
    return deny('the certificate is not the one the user registered with');
  }
  if (!PERMISSIONS.access.includes(user.role)) return deny(`role ${user.role} may not access records`);
  const granted = (reason: string, via: NonNullable<Decision['via']>): Decision => ({
    outcome: 'granted',
    reason,
    transfer,
    user,
    via,
  });
  if (transfer.recipientId === user.userId) {
    return granted('recipient', { kind: 'recipient', envelopeHash: transfer.envelopeHash });
  }
  const now = Date.parse(at);
  const grant = await readRecord<GrantRecord>(ctx, keyOf(ctx, 'grant', recordId, user.userId));
  if (grant?.status === 'active' && Date.parse(grant.expiresAt) > now) {
    return granted(`grant for ${grant.purpose} until ${grant.expiresAt}`, {
      kind: 'grant',
      envelopeHash: grant.envelopeHash,
    });
  }
  const breakGlass = await readRecord<BreakGlassRecord>(
    ctx,
    keyOf(ctx, 'break-glass', recordId, user.userId),
  );
  const openingInForce =
    breakGlass !== undefined &&
    Date.parse(breakGlass.openedAt) <= now &&
    Date.parse(breakGlass.expiresAt) > now;
  if (openingInForce && breakGlass.keyReleasedAt === undefined) {
    return deny("the emergency key has not been released yet: ask your organisation's emergency service");
  }
  if (openingInForce) {
    // The doctor reads the holders' key-share deposits the opening lists (ReadEnvelope).
    return granted(`break-glass ${breakGlass.reasonCode} until ${breakGlass.expiresAt}`, {
      kind: 'breakGlass',
    });
  }
  if (grant === undefined) return deny('no grant for the caller');
  return deny(grant.status !== 'active' ? 'the grant was revoked' : 'the grant has expired');
}
