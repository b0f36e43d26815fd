/**
 * The MedShare envelope format, version 1: streaming authenticated encryption of files with a per-file
 * data key, the data key wrapped for each recipient, and the sender's signature over a transfer. It uses
 * only WebCrypto, web streams and `@noble/hashes`, so it runs unchanged in the browser.
 *
 * See docs/envelope-format.md for the byte layout.
 *
 * @packageDocumentation
 */

export { type ContentHasher, contentHashOf, createContentHasher } from './content-hash';
export { DataKey } from './data-key';
export { type DecryptOptions, createDecryptStream } from './decrypt-stream';
export { type EncryptOptions, createEncryptStream } from './encrypt-stream';
export { EnvelopeError, type EnvelopeErrorCode, type EnvelopeErrorOptions } from './errors';
export {
  DEFAULT_SEGMENT_SIZE,
  HEADER_SIZE,
  MAX_SEGMENT_SIZE,
  MIN_SEGMENT_SIZE,
  TAG_SIZE,
  ciphertextSize,
} from './format';
export {
  type EncryptionKeyPair,
  type GenerateKeyPairOptions,
  type WrapOptions,
  WRAPPED_KEY_SIZE,
  generateEncryptionKeyPair,
  importEncryptionPublicKey,
  unwrapDataKey,
  wrapDataKey,
} from './key-wrap';
export {
  type EmergencyShares,
  type ShareContribution,
  type ShareHolder,
  type SubsetParts,
  MAX_HOLDERS,
  MAX_SUBSETS,
  combineShares,
  contributeShares,
  splitForHolders,
} from './key-shares';
export { decryptBytes, encryptBytes } from './one-shot';
export { MAX_LABEL_TEXT, type RecordLabel, cleanLabel, openLabel, sealLabel } from './record-label';
export {
  type TransferFields,
  assertTransferSignature,
  signTransfer,
  transferMessage,
  verifyTransfer,
} from './transfer-signature';
export type { WebCryptoKey, WebCryptoKeyPair } from './web-crypto';
