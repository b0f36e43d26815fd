import { generateKeyPairSync } from 'node:crypto';

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
