import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { type AccountStore, type TotpService, hashPassword, seal, validatePasswordPolicy } from './auth';
import { privilegedRoleOf } from './device/certificate';

/** The first operator of an organisation, from the admin identity enrolled when the network was set up. */
export interface OperatorBootstrap {
  mspId: string;
  enrollmentId: string;
  /** The admin's enrolment certificate (role=admin); its key stays with the operator. */
  certificatePem: string;
  /** The admin's public encryption key (base64 SPKI), for their emergency duties. */
  encryptionPublicKey: string;
  password: string;
}

/**
 * Creates the account of an organisation's first operator on the gateway
 * host: there is no operator yet to invite them. Everyone else is invited by
 * an operator. Returns the TOTP secret to load into the operator's
 * authenticator; the account is confirmed at their first sign-in.
 */
export async function bootstrapOperator(
  accounts: AccountStore,
  totp: TotpService,
  totpKey: Buffer,
  operator: OperatorBootstrap,
): Promise<{ accountId: string; totpSecret: string }> {
  if (privilegedRoleOf(operator.certificatePem) !== 'admin') {
    throw new Error('the certificate does not carry role=admin with its powers');
  }
  const problems = validatePasswordPolicy(operator.password, { contextWords: [operator.enrollmentId] });
  if (problems.length > 0) throw new Error(problems.map((p) => p.message).join('; '));
  const invited = accounts.invite({
    mspId: operator.mspId,
    enrollmentId: operator.enrollmentId,
    role: 'admin',
  });
  const totpSecret = totp.newSecret();
  accounts.completeEnrolment(invited.accountId, {
    passwordHash: await hashPassword(operator.password),
    certificatePem: operator.certificatePem,
    userId: identityOfCertificate(operator.mspId, operator.certificatePem).userId,
    encryptionPublicKey: operator.encryptionPublicKey,
    keyBackup: null,
    totpSecretSealed: seal(totpSecret, totpKey, invited.accountId),
  });
  return { accountId: invited.accountId, totpSecret };
}
