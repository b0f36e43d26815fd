import { X509Certificate, verify } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import type { CertificateIdentity } from './identity';
import { spkiPublicKey } from './public-keys';
import { keyOf, readRecord, writeRecord } from './state';
import { txTime } from './time';

/** An organisation's gateway service, announced by the gateway itself with its own Fabric identity. */
export interface GatewayRecord {
  docType: 'gateway';
  /** The gateway's pseudonymous id: the user id its certificate gives (SHA-256 of MSP ID and x509 id). */
  gatewayId: string;
  mspId: string;
  /** The gateway certificate's public key (EC P-256), SubjectPublicKeyInfo DER, base64. */
  publicKey: string;
  /** A suspended gateway (registry:SuspendUser by an admin of its organisation) can do nothing. */
  status: 'active' | 'suspended';
  /** When an admin last suspended or reactivated it. */
  statusChangedAt?: string;
  announcedAt: string;
  /** Keys of earlier enrolments of the same gateway, oldest first. */
  previousKeys: RetiredGatewayKey[];
}

/** A public key a re-enrolled gateway no longer uses. */
export interface RetiredGatewayKey {
  publicKey: string;
  announcedAt: string;
  retiredAt: string;
}

/** The functions that require an attestation; the `action` a claim must name. */
export const ATTESTED_ACTIONS = ['send', 'access', 'breakGlass'] as const;
/** An attested action. */
export type AttestedAction = (typeof ATTESTED_ACTIONS)[number];

/**
 * What the gateway checked before the user's transaction, signed by the gateway:
 * the transient `attestation` entry's `claim`, itself a JSON string.
 */
export interface AttestationClaim {
  v: 1;
  action: AttestedAction;
  /** The caller's ledger id. */
  userId: string;
  /** SHA-256 (hex) identifying the user's enrolled device. */
  deviceId: string;
  /** SHA-256 (hex) of the device health report the gateway accepted. */
  postureHash: string;
  /** SHA-256 (hex) binding the second factor the gateway verified (never the factor itself). */
  factorHash: string;
  /** 16 to 48 random bytes, base64url: 22 to 64 characters, used once per gateway. */
  nonce: string;
  issuedAt: string;
  expiresAt: string;
}

/** What a transaction records of the attestation that authorised it. */
export interface AttestationSummary {
  gatewayId: string;
  deviceId: string;
  postureHash: string;
  factorHash: string;
  nonce: string;
}

/** Marks a nonce as used; written by the first transaction that presents it. */
export interface AttestationNonceRecord {
  docType: 'attestationNonce';
  gatewayId: string;
  nonce: string;
  txId: string;
  usedAt: string;
  /** The claim's expiry: after it no transaction can present the nonce again (absent on older records). */
  expiresAt?: string;
}

/**
 * How long a used nonce is kept after its claim expired. A replay must carry
 * a proposal time before the claim's expiry, and Fabric 3 peers refuse
 * proposals more than `peer.authentication.timewindow` (15 minutes by
 * default) from their clock; twice that leaves a margin for a longer window.
 */
export const NONCE_RETENTION_MS = 30 * 60_000;

/** When a used nonce may be forgotten (see {@link NONCE_RETENTION_MS}). */
export function nonceForgettableAt(record: AttestationNonceRecord): number {
  const expires = record.expiresAt
    ? Date.parse(record.expiresAt)
    : Date.parse(record.usedAt) + MAX_ATTESTATION_MS;
  return expires + NONCE_RETENTION_MS;
}

/** What a gateway may report refusing. */
export const REFUSAL_ACTIONS = ['send', 'access', 'breakGlass', 'login', 'grant'] as const;
/** A refused action. */
export type RefusalAction = (typeof REFUSAL_ACTIONS)[number];

/**
 * A request the gateway refused before it reached the ledger (failed device
 * check, replayed one-time code, ...). Pseudonymous ids and codes only.
 */
export interface RefusalRecord {
  docType: 'refusal';
  txId: string;
  userId: string;
  mspId: string;
  action: RefusalAction;
  recordId?: string;
  code: string;
  reason: string;
  /** SHA-256 (hex) of the refused device report, kept by the gateway. */
  evidenceHash?: string;
  gatewayId: string;
  at: string;
}

/** Largest transient `attestation` entry, in bytes. */
export const MAX_ATTESTATION_BYTES = 4096;
/** Longest validity of an attestation. */
export const MAX_ATTESTATION_MS = 5 * 60_000;
/** Tolerated difference between the gateway's clock and the transaction's timestamp, before issuedAt. */
export const ATTESTATION_SKEW_MS = 60_000;

const HEX_64 = /^[0-9a-f]{64}$/;
const NONCE = /^[A-Za-z0-9_-]{22,64}$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
const REFUSAL_CODE = /^[A-Z][A-Z0-9_]{2,47}$/;
const PRINTABLE = /^[\x20-\x7E]{1,300}$/;
const CLAIM_FIELDS = [
  'v',
  'action',
  'userId',
  'deviceId',
  'postureHash',
  'factorHash',
  'nonce',
  'issuedAt',
  'expiresAt',
] as const;

const invalid = (message: string): ChaincodeError => new ChaincodeError('ATTESTATION_INVALID', message);

/**
 * The calling gateway's record, which must exist, be active and hold the
 * caller certificate's key: what every gateway function checks first, so a
 * suspended gateway, or another certificate with the gateway's name, can do
 * nothing.
 */
export async function activeGateway(ctx: Context, gateway: CertificateIdentity): Promise<GatewayRecord> {
  const record = await readRecord<GatewayRecord>(ctx, keyOf(ctx, 'gateway', gateway.userId));
  if (record === undefined) {
    throw new ChaincodeError('ACCESS_DENIED', 'the calling gateway has not announced itself');
  }
  if (record.status !== 'active') {
    throw new ChaincodeError('ACCESS_DENIED', 'the calling gateway is suspended');
  }
  if (record.publicKey !== gatewayPublicKey(ctx)) {
    throw new ChaincodeError('ACCESS_DENIED', "the caller certificate is not the gateway's announced one");
  }
  return record;
}

/**
 * The caller certificate's public key as base64 SPKI DER; only EC P-256, the
 * curve gateways sign attestations with.
 */
export function gatewayPublicKey(ctx: Context): string {
  let key;
  try {
    key = new X509Certificate(Buffer.from(ctx.stub.getCreator().idBytes)).publicKey;
  } catch {
    throw new ChaincodeError('INVALID_ARGUMENT', 'the caller certificate cannot be parsed');
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new ChaincodeError('INVALID_ARGUMENT', 'a gateway certificate must hold an EC P-256 public key');
  }
  return key.export({ format: 'der', type: 'spki' }).toString('base64');
}

function jsonObject(text: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid(`${what} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalid(`${what} must be a JSON object`);
  }
  return value as Record<string, unknown>;
}

function onlyFields(value: Record<string, unknown>, allowed: readonly string[], what: string): void {
  const unknown = Object.keys(value).find((k) => !allowed.includes(k));
  if (unknown !== undefined) {
    throw invalid(`${what}.${unknown} is not a known field`);
  }
  const missing = allowed.find((k) => !(k in value));
  if (missing !== undefined) {
    throw invalid(`${what}.${missing} is missing`);
  }
}

function field(value: unknown, pattern: RegExp, name: string, shape: string): string {
  if (typeof value !== 'string' || !pattern.test(value)) {
    throw invalid(`${name} must be ${shape}`);
  }
  return value;
}

function instant(value: unknown, name: string): number {
  const text = field(value, ISO_UTC, name, 'an ISO 8601 UTC time');
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw invalid(`${name} must be an ISO 8601 UTC time`);
  return ms;
}

/** The transient `attestation` entry, parsed strictly; the claim's signature is not yet checked. */
export interface ParsedAttestation {
  gatewayId: string;
  claimBytes: Buffer;
  signature: Buffer;
  claim: AttestationClaim;
}

/** Parses the transient `attestation` entry: sizes bounded, unknown or missing fields rejected. */
export function parseAttestation(bytes: Uint8Array | undefined): ParsedAttestation {
  if (bytes === undefined || bytes.length === 0) {
    throw invalid('attestation missing: transient data must carry an "attestation" entry from the gateway');
  }
  if (bytes.length > MAX_ATTESTATION_BYTES) {
    throw invalid(`the attestation must be at most ${MAX_ATTESTATION_BYTES} bytes`);
  }
  const outer = jsonObject(Buffer.from(bytes).toString('utf8'), 'attestation');
  onlyFields(outer, ['claim', 'signature', 'gatewayId'], 'attestation');
  if (typeof outer.claim !== 'string' || outer.claim.length === 0) {
    throw invalid('attestation.claim must be a JSON string');
  }
  const signature = field(outer.signature, BASE64, 'attestation.signature', 'base64 (DER ECDSA)');
  if (signature.length > 200) throw invalid('attestation.signature is too long for an ECDSA P-256 signature');
  const gatewayId = field(outer.gatewayId, HEX_64, 'attestation.gatewayId', '64 lower-case hex characters');

  const raw = jsonObject(outer.claim, 'attestation.claim');
  onlyFields(raw, CLAIM_FIELDS, 'claim');
  if (raw.v !== 1) throw invalid('claim.v must be 1');
  if (typeof raw.action !== 'string' || !(ATTESTED_ACTIONS as readonly string[]).includes(raw.action)) {
    throw invalid(`claim.action must be one of ${ATTESTED_ACTIONS.join(', ')}`);
  }
  const hex = 'a SHA-256 digest in lower-case hex';
  const claim: AttestationClaim = {
    v: 1,
    action: raw.action as AttestedAction,
    userId: field(raw.userId, HEX_64, 'claim.userId', '64 lower-case hex characters'),
    deviceId: field(raw.deviceId, HEX_64, 'claim.deviceId', hex),
    postureHash: field(raw.postureHash, HEX_64, 'claim.postureHash', hex),
    factorHash: field(raw.factorHash, HEX_64, 'claim.factorHash', hex),
    nonce: field(raw.nonce, NONCE, 'claim.nonce', '22 to 64 characters of letters, digits, "_" or "-"'),
    issuedAt: field(raw.issuedAt, ISO_UTC, 'claim.issuedAt', 'an ISO 8601 UTC time'),
    expiresAt: field(raw.expiresAt, ISO_UTC, 'claim.expiresAt', 'an ISO 8601 UTC time'),
  };
  return {
    gatewayId,
    claimBytes: Buffer.from(outer.claim, 'utf8'),
    signature: Buffer.from(signature, 'base64'),
    claim,
  };
}

/**
 * Requires the transient `attestation` entry: a claim signed by the caller's
 * organisation's announced gateway that it checked this caller's device and
 * second factor for this action, valid at the transaction's time, and not
 * presented before. Records the nonce as used and returns what the
 * transaction stores of it. Every failure is ATTESTATION_INVALID. Callers
 * check it after their other checks, just before they write, so a request
 * refused for another reason leaves the nonce unused.
 */
export async function requireAttestation(
  ctx: Context,
  caller: CertificateIdentity,
  action: AttestedAction,
): Promise<AttestationSummary> {
  const { gatewayId, claimBytes, signature, claim } = parseAttestation(
    ctx.stub.getTransient().get('attestation'),
  );

  const gateway = await readRecord<GatewayRecord>(ctx, keyOf(ctx, 'gateway', gatewayId));
  if (gateway?.status !== 'active') {
    throw invalid(`unknown gateway ${gatewayId}: not announced or not active`);
  }
  if (gateway.mspId !== caller.mspId) {
    throw invalid(`gateway ${gatewayId} belongs to ${gateway.mspId}, not to the caller's ${caller.mspId}`);
  }
  let valid = false;
  try {
    valid = verify(
      'sha256',
      claimBytes,
      { key: spkiPublicKey(gateway.publicKey), dsaEncoding: 'der' },
      signature,
    );
  } catch {
    valid = false;
  }
  if (!valid) {
    throw invalid(`bad signature: the claim is not signed by gateway ${gatewayId}`);
  }
  if (claim.userId !== caller.userId) {
    throw invalid('wrong user: the claim was issued for another user');
  }
  if (claim.action !== action) {
    throw invalid(`wrong action: the claim is for ${claim.action}, not ${action}`);
  }
  const issued = instant(claim.issuedAt, 'claim.issuedAt');
  const expires = instant(claim.expiresAt, 'claim.expiresAt');
  if (expires <= issued || expires - issued > MAX_ATTESTATION_MS) {
    throw invalid(
      `the claim must expire after it is issued and within ${MAX_ATTESTATION_MS / 60_000} minutes`,
    );
  }
  const now = txTime(ctx);
  const at = Date.parse(now);
  if (at < issued - ATTESTATION_SKEW_MS) {
    throw invalid(
      `not yet valid: the claim is issued at ${claim.issuedAt}, after the transaction time ${now}`,
    );
  }
  if (at > expires) {
    throw invalid(`expired: the claim expired at ${claim.expiresAt}, before the transaction time ${now}`);
  }
  const nonceKey = keyOf(ctx, 'attestationNonce', gatewayId, claim.nonce);
  if ((await ctx.stub.getState(nonceKey)).length > 0) {
    throw invalid(`replayed: nonce ${claim.nonce} of gateway ${gatewayId} was already used`);
  }
  const used: AttestationNonceRecord = {
    docType: 'attestationNonce',
    gatewayId,
    nonce: claim.nonce,
    txId: ctx.stub.getTxID(),
    usedAt: now,
    expiresAt: new Date(expires).toISOString(),
  };
  await writeRecord(ctx, nonceKey, used);
  return {
    gatewayId,
    deviceId: claim.deviceId,
    postureHash: claim.postureHash,
    factorHash: claim.factorHash,
    nonce: claim.nonce,
  };
}

/** Validates RecordRefusal's arguments other than ids (which their own validators check). */
export function validateRefusal(
  action: string,
  code: string,
  reason: string,
  evidenceHash: string,
): { action: RefusalAction; code: string; reason: string; evidenceHash: string } {
  if (!(REFUSAL_ACTIONS as readonly string[]).includes(action)) {
    throw new ChaincodeError('INVALID_ARGUMENT', `action must be one of ${REFUSAL_ACTIONS.join(', ')}`);
  }
  if (!REFUSAL_CODE.test(code)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'code must be 3 to 48 characters of upper-case letters, digits and "_", starting with a letter',
    );
  }
  if (!PRINTABLE.test(reason)) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'reason must be 1 to 300 printable ASCII characters');
  }
  if (evidenceHash !== '' && !HEX_64.test(evidenceHash)) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      'evidenceHash must be empty or the SHA-256 of the refused device report, in lower-case hex',
    );
  }
  return { action: action as RefusalAction, code, reason, evidenceHash };
}
