import { z } from 'zod';
import { ApiError, type AccountView } from '../../../../src/client/api-client';
import type { StoredIdentity } from '../../app/keystore';
import { importDeviceIdentity } from '../identity';
import { assertIdentityOfAccount, enrolledAccount } from './key-checks';
import { pemToDer } from './pem';
import { parseTrustBundle } from '../../../../src/trust/bundle';

/** The fields of the CLI's key file (gateway-app/src/cli/key-file.ts) that the browser needs. */
const keyFileSchema = z.object({
  mspId: z.string(),
  enrollmentId: z.string(),
  userId: z.string(),
  certificatePem: z.string(),
  signingKey: z.string(),
  encryptionKey: z.string(),
  encryptionPublicKey: z.string(),
  trustBundle: z.unknown().optional(),
});

const invalid = (message: string) => new ApiError(422, 'KEY_FILE_INVALID', message);

/**
 * Imports the keys of a CLI key file (an operator's, say) for the signed-in
 * account, non-extractable, once they are proven to be the account's. The
 * file's text stays in this browser; the caller saves the identity.
 */
export async function identityFromKeyFile(text: string, account: AccountView): Promise<StoredIdentity> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw invalid('the file is not JSON; choose the .json key file the medshare CLI wrote');
  }
  const parsed = keyFileSchema.safeParse(json);
  if (!parsed.success) throw invalid('the file is not a MedShare key file');
  const file = parsed.data;
  const enrolled = enrolledAccount(account);
  if (
    file.mspId !== account.mspId ||
    file.enrollmentId !== account.enrollmentId ||
    file.userId !== enrolled.userId
  ) {
    throw new ApiError(
      422,
      'KEY_MISMATCH',
      `this key file is ${file.enrollmentId} of ${file.mspId}, not the signed-in account`,
    );
  }
  const bytes: Uint8Array[] = [];
  const der = (pem: string) => {
    const out = pemToDer(pem, 'PRIVATE KEY');
    bytes.push(out);
    return out;
  };
  try {
    let identity: StoredIdentity;
    try {
      identity = await importDeviceIdentity({
        mspId: file.mspId,
        enrollmentId: file.enrollmentId,
        userId: file.userId,
        certificatePem: file.certificatePem,
        signingPkcs8: der(file.signingKey),
        encryptionPkcs8: der(file.encryptionKey),
        encryptionPublicKeySpki: file.encryptionPublicKey,
        // Pinned by the CLI from the network's files or the invitation's code; checked for form here.
        ...(file.trustBundle === undefined ? {} : { trustBundle: parseTrustBundle(file.trustBundle) }),
      });
    } catch (cause) {
      throw invalid(
        `the keys in this file cannot be read (${cause instanceof Error ? cause.message : String(cause)})`,
      );
    }
    await assertIdentityOfAccount(identity, account);
    return { ...identity, certificatePem: enrolled.certificatePem };
  } finally {
    for (const b of bytes) b.fill(0);
  }
}
