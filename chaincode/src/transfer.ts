import type { Context } from 'fabric-contract-api';
import type { AttestationSummary } from './attestation';
import { ChaincodeError } from './errors';
import { marshal } from './json';

/** Lifecycle of a transfer record: `erasing` once its erasure is approved and nobody may read it any more. */
export type TransferStatus = 'active' | 'erasing' | 'erased';

/**
 * The public part of a transfer, on the channel's world state: only what audit
 * needs. Where the ciphertext is (its CID) and how to decrypt it are private.
 */
export interface TransferRecord {
  docType: 'transfer';
  recordId: string;
  senderId: string;
  senderMspId: string;
  recipientId: string;
  recipientMspId: string;
  /** SHA-256 of the ciphertext, hex. */
  contentHash: string;
  /** SHA-256 of the recipient's deposited envelope; absent only on records written before deposits. */
  envelopeHash?: string;
  status: TransferStatus;
  createdAt: string;
  updatedAt: string;
  txId: string;
  /** The sender's gateway attestation (device check and second factor) Send required; absent only on records written before. */
  attestation?: AttestationSummary;
  /**
   * What a list may say of the record (study description, modality, date), sealed by the sender's device
   * for the sender and the recipient (see {@link validateLabel}): ciphertext to everyone else.
   */
  label?: string;
}

/** What the sender passes in transient data under the key `envelope`. */
export interface EnvelopeInput {
  cid: string;
  size: number;
  mediaType: string;
  /** The record's data key wrapped for the reader, base64; absent only on a key-share deposit. */
  wrappedKey?: string;
  /** The sender's ECDSA P-256 signature (IEEE P1363, base64) over {@link signedMessage}. */
  signature: string;
  /** At least 16 random bytes, base64, so the private record's on-chain hash reveals nothing. */
  salt: string;
  /**
   * The data key split for the recipient organisation's emergency key set:
   * for each `threshold`-subset of its holders, one part wrapped for each
   * (see gateway-app/src/envelope/key-shares.ts). Only the sender's envelope has it.
   */
  emergencyShares?: EmergencySharesField;
  /** On a break-glass key-share deposit: one holder's parts, re-wrapped for the doctor. */
  keyShare?: KeyShareField;
  metadata?: Record<string, string>;
}

/** The `emergencyShares` of an envelope. */
export interface EmergencySharesField {
  version: 1;
  keySetVersion: number;
  threshold: number;
  parts: { holders: string[]; wrapped: string[] }[];
  check: string;
}

/** The `keyShare` of a break-glass key-share deposit. */
export interface KeyShareField {
  holderId: string;
  keySetVersion: number;
  check: string;
  parts: { subset: number; holders: string[]; wrapped: string }[];
}

/**
 * A reader's private envelope, held only in the collection of the
 * organisations concerned. The depositor's device writes all of it, as
 * canonical JSON (see {@link parseEnvelopeRecord}), so that it knows the exact
 * bytes, and so their SHA-256, which the public record then names.
 */
export interface EnvelopeRecord extends EnvelopeInput {
  docType: 'envelope';
  recordId: string;
  readerId: string;
  /** Who sent the record (and signed it for its recipient). */
  senderId: string;
  contentHash: string;
  /** Who deposited this envelope: the sender, a grantor, or an emergency operator. */
  depositorId: string;
}

/** The parties an envelope must name: what the depositing function knows from the ledger and the caller. */
export type EnvelopeParties = Pick<
  EnvelopeRecord,
  'recordId' | 'readerId' | 'senderId' | 'contentHash' | 'depositorId'
>;

const RECORD_ID = /^[A-Za-z0-9_-]{16,64}$/;
const HEX_64 = /^[0-9a-f]{64}$/;
const CID_V1 = /^b[a-z2-7]{50,100}$/;
const CID_V0 = /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/;
const MEDIA_TYPE = /^[a-z]+\/[a-z0-9.+-]{1,80}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const MAX_SIZE = 64 * 1024 ** 3;

/** Validates a record id: 16 to 64 URL-safe characters chosen by the sender. */
export function validateRecordId(recordId: string): string {
  if (!RECORD_ID.test(recordId)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'recordId must be 16 to 64 characters of letters, digits, "_" or "-"',
    );
  }
  return recordId;
}

/** Validates a SHA-256 hex digest. */
export function validateContentHash(hash: string): string {
  if (!HEX_64.test(hash)) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'contentHash must be a SHA-256 digest in lower-case hex');
  }
  return hash;
}

function base64Field(name: string, value: unknown, maxLength: number, minBytes = 1): string {
  if (typeof value !== 'string' || value.length > maxLength || !BASE64.test(value)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `envelope.${name} must be base64 of at most ${maxLength} characters`,
    );
  }
  if (Buffer.from(value, 'base64').length < minBytes) {
    throw new ChaincodeError('INVALID_ARGUMENT', `envelope.${name} must hold at least ${minBytes} bytes`);
  }
  return value;
}

/**
 * Parses and validates the transient `envelope` entry: a whole
 * {@link EnvelopeRecord} in canonical JSON ({@link marshal}'s form, so its
 * hash is what the device computed) naming exactly `parties`.
 */
export function parseEnvelopeRecord(bytes: Uint8Array | undefined, parties: EnvelopeParties): EnvelopeRecord {
  if (bytes === undefined || bytes.length === 0) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'transient data must carry an "envelope" entry');
  }
  if (bytes.length > 32 * 1024) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'the envelope must be at most 32 KiB');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(bytes).toString('utf8'));
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', 'the envelope must be JSON');
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'the envelope must be a JSON object');
  }
  const e = raw as Record<string, unknown>;
  const allowed = new Set([
    'docType',
    'recordId',
    'readerId',
    'senderId',
    'contentHash',
    'depositorId',
    'cid',
    'size',
    'mediaType',
    'wrappedKey',
    'signature',
    'salt',
    'emergencyShares',
    'keyShare',
    'metadata',
  ]);
  const unknown = Object.keys(e).find((k) => !allowed.has(k));
  if (unknown !== undefined) {
    throw new ChaincodeError('INVALID_ARGUMENT', `envelope.${unknown} is not a known field`);
  }
  if (typeof e.cid !== 'string' || !(CID_V1.test(e.cid) || CID_V0.test(e.cid))) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'envelope.cid must be an IPFS CID (v0 or base32 v1)');
  }
  if (typeof e.size !== 'number' || !Number.isInteger(e.size) || e.size < 0 || e.size > MAX_SIZE) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'envelope.size must be a whole number of bytes up to 64 GiB',
    );
  }
  if (typeof e.mediaType !== 'string' || !MEDIA_TYPE.test(e.mediaType)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'envelope.mediaType must be a media type such as application/dicom',
    );
  }
  if (e.docType !== 'envelope') {
    throw new ChaincodeError('INVALID_ARGUMENT', 'envelope.docType must be "envelope"');
  }
  for (const [name, value] of Object.entries(parties)) {
    if (e[name] !== value) {
      throw new ChaincodeError('INVALID_ARGUMENT', `envelope.${name} must be ${value}`);
    }
  }
  const envelope: EnvelopeRecord = {
    docType: 'envelope',
    ...parties,
    cid: e.cid,
    size: e.size,
    mediaType: e.mediaType,
    signature: base64Field('signature', e.signature, 256, 64),
    salt: base64Field('salt', e.salt, 88, 16),
  };
  if (e.keyShare === undefined) {
    envelope.wrappedKey = base64Field('wrappedKey', e.wrappedKey, 4096);
  } else if (e.wrappedKey !== undefined || e.emergencyShares !== undefined) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'a key-share deposit carries its parts only, no wrapped key',
    );
  } else {
    envelope.keyShare = parseKeyShare(e.keyShare);
  }
  if (e.emergencyShares !== undefined) {
    envelope.emergencyShares = parseEmergencyShares(e.emergencyShares);
  }
  if (e.metadata !== undefined) {
    envelope.metadata = parseMetadata(e.metadata);
  }
  if (!marshal(envelope).equals(Buffer.from(bytes))) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'the envelope must be canonical JSON (keys sorted, no spaces)',
    );
  }
  return envelope;
}

const MAX_SUBSETS = 35;
const fail = (what: string): never => {
  throw new ChaincodeError('INVALID_ARGUMENT', `envelope.${what}`);
};
const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const smallInt = (v: unknown, min: number, max: number): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= min && v <= max;
const userIds = (v: unknown): v is string[] =>
  Array.isArray(v) &&
  v.length >= 2 &&
  v.length <= 7 &&
  v.every((x) => typeof x === 'string' && HEX_64.test(x));

function parseEmergencyShares(value: unknown): EmergencySharesField {
  if (!isObject(value) || value.version !== 1 || !smallInt(value.keySetVersion, 1, 1e6)) {
    return fail('emergencyShares must be {version: 1, keySetVersion, threshold, parts, check}');
  }
  if (!smallInt(value.threshold, 2, 7) || !Array.isArray(value.parts) || value.parts.length < 1) {
    return fail('emergencyShares needs a threshold from 2 to 7 and its parts');
  }
  if (value.parts.length > MAX_SUBSETS)
    return fail(`emergencyShares has at most ${String(MAX_SUBSETS)} parts`);
  const threshold = value.threshold;
  const parts = value.parts.map((p: unknown, i) => {
    if (!isObject(p) || !userIds(p.holders) || !Array.isArray(p.wrapped) || p.holders.length !== threshold) {
      return fail(`emergencyShares.parts[${String(i)}] must name ${String(threshold)} holders`);
    }
    if (p.wrapped.length !== p.holders.length)
      return fail(`emergencyShares.parts[${String(i)}] needs one wrap per holder`);
    return {
      holders: p.holders,
      wrapped: p.wrapped.map((w: unknown, j) =>
        base64Field(`emergencyShares.parts[${String(i)}].wrapped[${String(j)}]`, w, 256),
      ),
    };
  });
  return {
    version: 1,
    keySetVersion: value.keySetVersion,
    threshold,
    parts,
    check: base64Field('emergencyShares.check', value.check, 64, 32),
  };
}

function parseKeyShare(value: unknown): KeyShareField {
  if (!isObject(value) || typeof value.holderId !== 'string' || !HEX_64.test(value.holderId)) {
    return fail('keyShare must be {holderId, keySetVersion, check, parts}');
  }
  if (!smallInt(value.keySetVersion, 1, 1e6) || !Array.isArray(value.parts) || value.parts.length < 1) {
    return fail('keyShare needs its key set version and at least one part');
  }
  if (value.parts.length > MAX_SUBSETS) return fail(`keyShare has at most ${String(MAX_SUBSETS)} parts`);
  const holderId = value.holderId;
  const parts = value.parts.map((p: unknown, i) => {
    if (
      !isObject(p) ||
      !smallInt(p.subset, 0, MAX_SUBSETS - 1) ||
      !userIds(p.holders) ||
      !p.holders.includes(holderId)
    ) {
      return fail(
        `keyShare.parts[${String(i)}] must name its subset and holders, the contributor among them`,
      );
    }
    return {
      subset: p.subset,
      holders: p.holders,
      wrapped: base64Field(`keyShare.parts[${String(i)}].wrapped`, p.wrapped, 256),
    };
  });
  return {
    holderId,
    keySetVersion: value.keySetVersion,
    check: base64Field('keyShare.check', value.check, 64, 32),
    parts,
  };
}

function parseMetadata(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'envelope.metadata must be an object of strings');
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > 20) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'envelope.metadata may hold at most 20 entries');
  }
  for (const [k, v] of entries) {
    if (!/^[A-Za-z][A-Za-z0-9_.-]{0,40}$/.test(k) || typeof v !== 'string' || v.length > 256) {
      throw new ChaincodeError(
        'INVALID_ARGUMENT',
        `envelope.metadata.${k} must be a string of at most 256 characters`,
      );
    }
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** The bytes the sender signs: record id, CID, content hash and recipient, one per line. */
export function signedMessage(
  recordId: string,
  cid: string,
  contentHash: string,
  recipientId: string,
): Buffer {
  return Buffer.from(`medshare/transfer/v1\n${recordId}\n${cid}\n${contentHash}\n${recipientId}`, 'utf8');
}

/**
 * Why a reader holds an envelope: as the record's recipient or a grantee
 * (`record`), or for a break-glass opening (`breakGlass`), which must not
 * share a slot with a grant the same doctor may hold.
 */
export type EnvelopeKind = 'record' | 'breakGlass' | `share-${string}`;

/** The slot kind of one emergency holder's key-share deposit for a break-glass opening. */
export const shareKind = (holderId: string): EnvelopeKind => `share-${holderId}`;

/** Key of a reader's envelope in a private data collection. */
export function envelopeKey(
  ctx: Context,
  recordId: string,
  readerId: string,
  kind: EnvelopeKind = 'record',
): string {
  return ctx.stub.createCompositeKey(
    'envelope',
    kind === 'record' ? [recordId, readerId] : [recordId, readerId, kind],
  );
}

/** The longest sealed label a transfer keeps, in characters. */
export const MAX_LABEL_LENGTH = 4096;

/**
 * Validates a sealed record label: compact JSON `{v: 1, iv, ct, keys: {userId: wrappedKey}}` with base64
 * values and one to four readers, at most {@link MAX_LABEL_LENGTH} characters. The chaincode cannot read
 * it (it is encrypted for the readers); it checks only its shape, so nothing else rides on a transfer.
 */
export function validateLabel(label: string): string {
  const bad = (why: string) => new ChaincodeError('INVALID_ARGUMENT', `label ${why}`);
  if (label.length === 0 || label.length > MAX_LABEL_LENGTH) {
    throw bad(`must be 1 to ${String(MAX_LABEL_LENGTH)} characters`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(label);
  } catch {
    throw bad('must be JSON');
  }
  const { v, iv, ct, keys, ...rest } = (parsed ?? {}) as Record<string, unknown>;
  if (v !== 1 || Object.keys(rest).length > 0) throw bad('must be {v: 1, iv, ct, keys}');
  if (typeof iv !== 'string' || !BASE64.test(iv) || typeof ct !== 'string' || !BASE64.test(ct)) {
    throw bad('iv and ct must be base64');
  }
  const readers =
    typeof keys === 'object' && keys !== null && !Array.isArray(keys) ? Object.entries(keys) : [];
  if (readers.length < 1 || readers.length > 4) throw bad('must be sealed for one to four readers');
  for (const [userId, wrapped] of readers) {
    if (!HEX_64.test(userId) || typeof wrapped !== 'string' || !BASE64.test(wrapped)) {
      throw bad('keys must map user ids to base64 wrapped keys');
    }
  }
  return label;
}

/** Validates the SHA-256 (lower-case hex) of a deposited envelope. */
export function validateEnvelopeHash(hash: string): string {
  if (!HEX_64.test(hash)) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'envelopeHash must be a SHA-256 digest in lower-case hex');
  }
  return hash;
}

/**
 * The private data collection of two organisations, or of one (must match
 * network/src/collections.ts): only they hold the data, and its own
 * endorsement policy names exactly them, so a record inside one organisation
 * is endorsed by that organisation alone.
 */
export function collectionFor(mspA: string, mspB: string): string {
  if (mspA === mspB) return `org-${mspA}`;
  const [first, second] = [mspA, mspB].sort();
  return `pdc-${first ?? ''}-${second ?? ''}`;
}
