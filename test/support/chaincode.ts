import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { keyBindingText } from 'medshare-chaincode/dist/key-binding';

/** A fresh public encryption key (P-256, base64 SPKI), as a user's device would register. */
export function encryptionKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .publicKey.export({ format: 'der', type: 'spki' })
    .toString('base64');
}

/** The chaincode's messages inside a gateway error (endorsement, submit or evaluation), joined. */
export function chaincodeMessage(error: unknown): string {
  const e = error as { message?: string; details?: { message: string }[] };
  return [e.message ?? '', ...(e.details ?? []).map((d) => d.message)].join(' | ');
}

/**
 * Runs `submit` again (up to 5 times, a moment apart) while its error matches
 * `lagging` (by default: the endorsing peers answer differently): right after
 * a commit, one peer may not have the block yet. The app's client does the
 * same (a retryable TX_CONFLICT, and a record whose deposit it does not see yet).
 */
export async function whenEndorsersAgree<T>(
  submit: () => Promise<T>,
  lagging = /ProposalResponsePayloads do not match/,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await submit();
    } catch (error) {
      if (attempt >= 5 || !lagging.test(chaincodeMessage(error))) throw error;
      await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
  }
}

/**
 * The arguments of registry:RegisterSelf for the user of `certificatePem`
 * (whose private key is `privateKey`): the encryption key `spki` and the
 * user's own signature binding it to them (key version `version`).
 */
export function selfRegistration(
  mspId: string,
  certificatePem: string,
  privateKey: KeyObject,
  spki: string,
  version = 1,
): [string, string] {
  const fingerprint = createHash('sha256').update(Buffer.from(spki, 'base64')).digest('hex');
  const { userId } = identityOfCertificate(mspId, certificatePem);
  const text = keyBindingText({ userId, mspId, spki, fingerprint, version });
  return [
    spki,
    sign('sha256', Buffer.from(text, 'utf8'), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString(
      'base64',
    ),
  ];
}
