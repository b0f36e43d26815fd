import { createHash } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { ClientIdentity } from 'fabric-shim';
import { ChaincodeError } from './errors';
import { isPrivilegedRole, isRole, POWERS_ATTRIBUTE, type Role } from './roles';

/** Who a certificate names, as Fabric sees it. */
export interface CertificateIdentity {
  mspId: string;
  /** Fabric's id: `x509::<subject DN>::<issuer DN>`. */
  x509Id: string;
  issuer: string;
  /** Pseudonymous id on the ledger: SHA-256 of MSP ID and subject, hex. */
  userId: string;
  role: Role | undefined;
}

/** The ledger id of a user: SHA-256 over the MSP ID and Fabric's x509 id. */
export function userIdOf(mspId: string, x509Id: string): string {
  return createHash('sha256').update(`${mspId}\n${x509Id}`).digest('hex');
}

function fromClientIdentity(
  identity: Pick<ClientIdentity, 'getMSPID' | 'getID' | 'getAttributeValue'>,
): CertificateIdentity {
  const mspId = identity.getMSPID();
  const x509Id = identity.getID();
  const issuer = x509Id.split('::')[2] ?? '';
  const claimed = identity.getAttributeValue('role');
  let role: Role | undefined = isRole(claimed) ? claimed : undefined;
  // An organisation's registrar can write any `role` value; only the CA's bootstrap registrar
  // can issue the powers attribute, so an admin or gateway role counts only when both agree.
  if (role !== undefined && isPrivilegedRole(role) && identity.getAttributeValue(POWERS_ATTRIBUTE) !== role) {
    role = undefined;
  }
  return { mspId, x509Id, issuer, userId: userIdOf(mspId, x509Id), role };
}

/** The identity of the transaction's creator, from its certificate. */
export function callerOf(ctx: Context): CertificateIdentity {
  return fromClientIdentity(ctx.clientIdentity);
}

/** The PEM certificate of the transaction's creator. */
export function creatorCertificate(ctx: Context): string {
  return Buffer.from(ctx.stub.getCreator().idBytes).toString('utf8');
}

/**
 * The identity a PEM certificate would have if it signed a transaction for
 * `mspId`, parsed exactly as Fabric's shim parses callers, so the id computed
 * at registration equals the id computed when that user calls.
 */
export function identityOfCertificate(mspId: string, certificatePem: string): CertificateIdentity {
  if (certificatePem.length > 8192 || !certificatePem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'certificate must be one PEM-encoded X.509 certificate of at most 8 KiB',
    );
  }
  const stubLike = {
    getChannelID: () => '',
    getTxID: () => '',
    getCreator: () => ({ mspid: mspId, idBytes: Buffer.from(certificatePem, 'utf8') }),
  };
  try {
    return fromClientIdentity(
      new ClientIdentity(stubLike as unknown as ConstructorParameters<typeof ClientIdentity>[0]),
    );
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', 'certificate is not a valid PEM-encoded X.509 certificate');
  }
}
