import { fromBase64, toBase64, utf8 } from './bytes';
import { EnvelopeError } from './errors';
import type { WebCryptoKey } from './web-crypto';

const ECDSA_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;
const CONTENT_HASH = /^[0-9a-f]{64}$/;

/** What the sender of a transfer signs, and the chaincode checks against the sender's certificate. */
export interface TransferFields {
  readonly recordId: string;
  /** The IPFS CID of the ciphertext. */
  readonly cid: string;
  /** The lower-case hex SHA-256 of the whole ciphertext. */
  readonly contentHash: string;
  readonly recipientId: string;
}

/**
 * The bytes a transfer signature covers: the UTF-8 of
 * `medshare/transfer/v1\n{recordId}\n{cid}\n{contentHash}\n{recipientId}`.
 *
 * @throws {@link EnvelopeError} `INVALID_ARGUMENT` if a field holds a line break, which would make the
 * message ambiguous, or the content hash is not lower-case hex SHA-256.
 */
export function transferMessage(fields: TransferFields): Uint8Array<ArrayBuffer> {
  const { recordId, cid, contentHash, recipientId } = fields;
  for (const [name, value] of Object.entries({ recordId, cid, contentHash, recipientId })) {
    if (/[\r\n]/.test(value)) {
      throw new EnvelopeError('INVALID_ARGUMENT', `the transfer field ${name} must not contain a line break`);
    }
  }
  if (!CONTENT_HASH.test(contentHash)) {
    throw new EnvelopeError(
      'INVALID_ARGUMENT',
      'the content hash must be a SHA-256 digest in lower-case hex',
    );
  }
  return utf8(`medshare/transfer/v1\n${recordId}\n${cid}\n${contentHash}\n${recipientId}`);
}

/**
 * Signs a transfer with the sender's ECDSA P-256 key.
 *
 * @returns the signature in IEEE P1363 form (r || s, 64 bytes), base64, as the chaincode expects.
 */
export async function signTransfer(privateKey: WebCryptoKey, fields: TransferFields): Promise<string> {
  const signature = await crypto.subtle.sign(ECDSA_SHA256, privateKey, transferMessage(fields));
  return toBase64(new Uint8Array(signature));
}

/**
 * Checks a transfer signature as the chaincode does.
 *
 * @param publicKey - the sender's ECDSA P-256 public key, or the same as base64 SPKI DER.
 * @param signature - base64 of the 64-byte IEEE P1363 signature.
 * @returns false if the signature is malformed or does not match.
 * @throws {@link EnvelopeError} `BAD_PUBLIC_KEY` if the public key cannot be imported.
 */
export async function verifyTransfer(
  publicKey: WebCryptoKey | string,
  fields: TransferFields,
  signature: string,
): Promise<boolean> {
  const key = typeof publicKey === 'string' ? await importSigningPublicKey(publicKey) : publicKey;
  const bytes = fromBase64(signature);
  if (bytes?.length !== 64) return false;
  return crypto.subtle.verify(ECDSA_SHA256, key, bytes, transferMessage(fields));
}

/**
 * Like {@link verifyTransfer}, but throws unless the signature is valid.
 *
 * @throws {@link EnvelopeError} `BAD_SIGNATURE` if it is not.
 */
export async function assertTransferSignature(
  publicKey: WebCryptoKey | string,
  fields: TransferFields,
  signature: string,
): Promise<void> {
  if (!(await verifyTransfer(publicKey, fields, signature))) {
    throw new EnvelopeError('BAD_SIGNATURE', "the signature is not the sender's over this transfer");
  }
}

async function importSigningPublicKey(spkiBase64: string): Promise<WebCryptoKey> {
  const der = fromBase64(spkiBase64);
  if (der === undefined) {
    throw new EnvelopeError('BAD_PUBLIC_KEY', 'the public key is not standard base64');
  }
  try {
    return await crypto.subtle.importKey('spki', der, ECDSA_P256, true, ['verify']);
  } catch (cause) {
    throw new EnvelopeError('BAD_PUBLIC_KEY', 'the public key is not an EC P-256 key in SPKI DER', { cause });
  }
}
