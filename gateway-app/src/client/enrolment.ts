import { generateEncryptionKeyPair } from '../envelope';
import type { GatewayClient } from './api-client';
import { rootsOf, TrustBundleError, verifyTrustBundle, type TrustBundle } from '../trust/bundle';
import { verifyEnrolledCertificate } from './certificate-check';
import { createCsr } from './csr';
import type { DeviceKeys } from './flows';
import { createKeyBackup } from './key-backup';
import { registerOwnKey } from './key-binding';
import { generateSigningKeyPair, webCryptoSigner } from './signer';

/** What the operator gave a new user, and the password they chose. */
export interface Invitation {
  mspId: string;
  enrollmentId: string;
  /** The one-time enrolment secret from the operator. */
  secret: string;
  password: string;
  /**
   * The digest of the consortium's trust bundle, from the operator's invitation
   * (their device's pinned bundle, not the gateway). With it the device pins the
   * bundle and accepts only a certificate from its organisation's pinned CA.
   */
  trustDigest: string;
}

/** A user whose certificate is issued, waiting to confirm their first TOTP code. */
export interface PendingEnrolment {
  keys: DeviceKeys;
  /** The private keys as PKCS#8, for the passphrase-wrapped backup and the CLI's key file. */
  signingKeyPkcs8: Uint8Array;
  encryptionKeyPkcs8: Uint8Array;
  certificatePem: string;
  totp: { secret: string; uri: string; qrSvg: string };
  /** The trust bundle pinned at this enrolment, checked against the invitation's trust code. */
  trustBundle: TrustBundle;
}

/**
 * The first step of enrolment, on the user's device: both key pairs are made
 * here, the signing key's CSR goes through the gateway to the organisation's
 * CA with the operator's one-time secret, and the account gets its password
 * and a TOTP secret to put in an authenticator. The certificate that comes
 * back must certify this device's key for this enrolment id with a user role
 * (`CERT_MISMATCH` otherwise), before the caller saves anything.
 */
export async function startEnrolment(
  client: GatewayClient,
  invitation: Invitation,
): Promise<PendingEnrolment> {
  // Before anything is sent: the gateway's bundle must be the one the invitation names.
  const trustBundle = verifyTrustBundle(await client.trustBundle(), invitation.trustDigest);
  const caRoots = rootsOf(trustBundle, invitation.mspId);
  if (caRoots.length === 0) {
    throw new TrustBundleError(
      'TRUST_BUNDLE_MISMATCH',
      `the invitation's trust bundle names no organisation ${invitation.mspId}`,
    );
  }
  const signing = await generateSigningKeyPair(true);
  const encryption = await generateEncryptionKeyPair({ extractable: true });
  const enrolled = await client.enrol({
    mspId: invitation.mspId,
    enrollmentId: invitation.enrollmentId,
    secret: invitation.secret,
    csr: await createCsr(signing, invitation.enrollmentId),
    password: invitation.password,
    encryptionPublicKey: encryption.publicKeySpki,
  });
  await verifyEnrolledCertificate(enrolled.certificate, {
    publicKeySpki: new Uint8Array(await crypto.subtle.exportKey('spki', signing.publicKey)),
    enrollmentId: invitation.enrollmentId,
    caRoots,
  });
  return {
    keys: {
      mspId: invitation.mspId,
      userId: enrolled.userId,
      signer: webCryptoSigner(signing.privateKey, enrolled.certificate),
      encryption,
      trust: trustBundle,
    },
    signingKeyPkcs8: new Uint8Array(await crypto.subtle.exportKey('pkcs8', signing.privateKey)),
    encryptionKeyPkcs8: new Uint8Array(await crypto.subtle.exportKey('pkcs8', encryption.privateKey)),
    certificatePem: enrolled.certificate,
    totp: enrolled.totp,
    trustBundle,
  };
}

/** Options of {@link finishEnrolment}. */
export interface FinishOptions {
  /** The user's first TOTP code from their authenticator. */
  code: string;
  /** Wraps the backup of the private keys the gateway keeps for recovery (it cannot open it). */
  backupPassphrase: string;
  /** scrypt cost of the backup; the default (2^16) unless a test lowers it. */
  backupCost?: number;
}

/**
 * The second step: the first TOTP code confirms the authenticator and opens a
 * full session; the passphrase-wrapped key backup is stored; the user
 * registers their public encryption key on the ledger, signing it themselves.
 */
export async function finishEnrolment(
  client: GatewayClient,
  pending: Pick<
    PendingEnrolment,
    'keys' | 'signingKeyPkcs8' | 'encryptionKeyPkcs8' | 'certificatePem' | 'trustBundle'
  >,
  options: FinishOptions,
): Promise<{ userId: string; registrationTxId: string | undefined }> {
  await client.confirmTotp(options.code);
  const backup = await createKeyBackup(
    {
      signingKeyPkcs8: pending.signingKeyPkcs8,
      encryptionKeyPkcs8: pending.encryptionKeyPkcs8,
      certificatePem: pending.certificatePem,
      trustBundle: pending.trustBundle,
    },
    options.backupPassphrase,
    `${pending.keys.mspId}/${(await client.me()).enrollmentId}`,
    options.backupCost ? { cost: options.backupCost } : {},
  );
  await client.request('PUT', '/api/me/key-backup', { keyBackup: backup });
  const txId = await registerOwnKey(client, pending.keys);
  return { userId: pending.keys.userId, registrationTxId: txId };
}
