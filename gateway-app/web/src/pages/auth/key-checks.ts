import { ApiError, type AccountView } from '../../../../src/client/api-client';
import { verifyEnrolledCertificate } from '../../../../src/client/certificate-check';
import { certificatePublicKeySpki } from '../../../../src/client/csr';
import { DataKey, unwrapDataKey, wrapDataKey, type EncryptionKeyPair } from '../../../../src/envelope';
import { fromBase64, toHex } from '../../../../src/envelope/bytes';
import type { StoredIdentity } from '../../app/keystore';
import { rootsOf } from '../../../../src/trust/bundle';

/** A key that is not the account's: refused before anything is stored. */
export function keyMismatch(message: string): ApiError {
  return new ApiError(422, 'KEY_MISMATCH', message);
}

/** The account's enrolled identity, or a refusal if it has none yet. */
export function enrolledAccount(account: AccountView): {
  userId: string;
  certificatePem: string;
  encryptionPublicKey: string;
} {
  const { userId, certificatePem, encryptionPublicKey } = account;
  if (!userId || !certificatePem || !encryptionPublicKey) {
    throw new ApiError(409, 'NOT_ENROLLED', 'this account has no certificate or encryption key yet');
  }
  return { userId, certificatePem, encryptionPublicKey };
}

/** SHA-256 (hex) of a base64 SPKI public key: the fingerprint the ledger's registry shows. */
export async function spkiFingerprint(spkiBase64: string): Promise<string> {
  const der = fromBase64(spkiBase64);
  if (!der) throw new Error('the public key is not base64');
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', der)));
}

/** The first 16 hex digits of a fingerprint in groups of four, enough to compare by eye. */
export const shortFingerprint = (hex: string): string =>
  `${(hex.slice(0, 16).match(/.{1,4}/g) ?? []).join(' ')}\u2026`;

async function assertSigningKeyOf(privateKey: CryptoKey, certificatePem: string): Promise<void> {
  const spki = fromBase64(certificatePublicKeySpki(certificatePem));
  if (!spki) throw keyMismatch('the certificate holds no readable public key');
  const publicKey = await crypto.subtle.importKey(
    'spki',
    spki,
    { name: 'ECDSA', namedCurve: 'P-256' },
    false,
    ['verify'],
  );
  const challenge = crypto.getRandomValues(new Uint8Array(32));
  const algorithm = { name: 'ECDSA', hash: 'SHA-256' } as const;
  const signature = await crypto.subtle.sign(algorithm, privateKey, challenge);
  if (!(await crypto.subtle.verify(algorithm, publicKey, signature, challenge))) {
    throw keyMismatch('the signing key is not the one of your certificate');
  }
}

async function assertEncryptionPair(pair: EncryptionKeyPair, bindingId: string, what: string): Promise<void> {
  // A data key wrapped to the public key unwraps only with its own private key.
  const wrapped = await wrapDataKey(await DataKey.generate(), pair.publicKeySpki, bindingId);
  await unwrapDataKey(wrapped, pair, bindingId).catch((cause: unknown) => {
    throw new ApiError(422, 'KEY_MISMATCH', `the ${what} private key does not match its public key`, {
      cause: String(cause),
    });
  });
}

/**
 * Proves that imported keys are the signed-in account's before they are kept:
 * same ledger id, a signing key that signs for the account's certificate, a
 * certificate that names the account with a user role and is valid now
 * (`CERT_MISMATCH` otherwise), and an encryption key pair whose halves match.
 */
export async function assertIdentityOfAccount(identity: StoredIdentity, account: AccountView): Promise<void> {
  const enrolled = enrolledAccount(account);
  if (identity.userId !== enrolled.userId) throw keyMismatch('these keys belong to another ledger user');
  if (
    certificatePublicKeySpki(identity.certificatePem) !== certificatePublicKeySpki(enrolled.certificatePem)
  ) {
    throw keyMismatch('these keys belong to another certificate than your account\u2019s');
  }
  if (identity.encryption.publicKeySpki !== enrolled.encryptionPublicKey) {
    throw keyMismatch('this encryption key is not the one registered for your account');
  }
  await assertSigningKeyOf(identity.signingKey, enrolled.certificatePem);
  // The signing key just signed for this certificate's public key: what remains is whom it names.
  await verifyEnrolledCertificate(identity.certificatePem, {
    publicKeySpki: fromBase64(certificatePublicKeySpki(identity.certificatePem)) ?? new Uint8Array(),
    enrollmentId: account.enrollmentId,
    // With pinned anchors, the organisation's CA must have issued it (not a certificate of the gateway's).
    ...(identity.trustBundle ? { caRoots: rootsOf(identity.trustBundle, identity.mspId) } : {}),
  });
  await assertEncryptionPair(identity.encryption, enrolled.userId, 'encryption');
}
