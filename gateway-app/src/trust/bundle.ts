import { sha256 } from '@noble/hashes/sha2';
import { z } from 'zod';
import { toHex } from '../envelope/bytes';

/**
 * One organisation of the consortium as a device pins it: its MSP id and the
 * root certificates of its CA, which issue its members' (and its peers' and
 * orderers') certificates.
 */
export interface TrustedOrganisation {
  mspId: string;
  /** For people: "St Mary Hospital". */
  name: string;
  role: 'peer' | 'orderer';
  /** PEM root certificates of the organisation's CA, in the channel's MSP order. */
  rootCertificates: string[];
}

/**
 * The consortium's trust anchors: what a user's device pins at enrolment and
 * checks every certificate, endorsement and proposal against. It is what the
 * channel configuration says of the organisations, plus the channel and the
 * chaincode the device may sign for. Its digest ({@link trustBundleDigest})
 * reaches the device with the operator's invitation, not from the gateway.
 */
export interface TrustBundle {
  v: 1;
  /** The consortium's name, for people. */
  consortium: string;
  channel: string;
  chaincode: string;
  /** Sorted by MSP id. */
  organisations: TrustedOrganisation[];
}

/** The consortium's peer organisations, by MSP id (the orderer organisation endorses nothing). */
export function peerOrganisations(bundle: TrustBundle): string[] {
  return bundle.organisations.filter((o) => o.role === 'peer').map((o) => o.mspId);
}

/** Why a trust bundle was refused. */
export type TrustBundleErrorCode =
  'TRUST_BUNDLE_INVALID' | 'TRUST_BUNDLE_MISMATCH' | 'TRUST_BUNDLE_MISSING' | 'TRUST_UPDATE_UNAPPROVED';

/** Raised when a trust bundle is malformed, is not the one the invitation named, or is missing. */
export class TrustBundleError extends Error {
  override readonly name = 'TrustBundleError';
  readonly code: TrustBundleErrorCode;

  constructor(code: TrustBundleErrorCode, message: string) {
    super(message);
    this.code = code;
  }
}

const PEM_CERTIFICATE =
  /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----\r?\n?$/;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;

const bundleSchema = z
  .object({
    v: z.literal(1),
    consortium: z.string().min(1).max(200),
    channel: z.string().regex(NAME),
    chaincode: z.string().regex(NAME),
    organisations: z
      .array(
        z
          .object({
            mspId: z.string().regex(NAME),
            name: z.string().min(1).max(200),
            role: z.enum(['peer', 'orderer']),
            rootCertificates: z.array(z.string().max(8192).regex(PEM_CERTIFICATE)).min(1).max(8),
          })
          .strict(),
      )
      .min(1)
      .max(64),
  })
  .strict();

/** The digest's form: 64 lower-case hex digits. */
export const TRUST_DIGEST_PATTERN = /^[0-9a-f]{64}$/;

/** JSON with object keys sorted at every level and no white space: one text per bundle. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, v]) => [k, sortKeys(v)]),
    );
  }
  return value;
}

/** SHA-256 (lower-case hex) of the bundle's canonical JSON: what the invitation carries. */
export function trustBundleDigest(bundle: TrustBundle): string {
  return toHex(sha256(new TextEncoder().encode(canonicalJson(bundle))));
}

/** Validates a bundle's shape (organisations in MSP id order, each once); `TRUST_BUNDLE_INVALID` otherwise. */
export function parseTrustBundle(value: unknown): TrustBundle {
  const parsed = bundleSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new TrustBundleError(
      'TRUST_BUNDLE_INVALID',
      `the trust bundle is malformed${issue ? ` at ${issue.path.join('.') || 'its root'}: ${issue.message}` : ''}`,
    );
  }
  const ids = parsed.data.organisations.map((o) => o.mspId);
  if (ids.some((id, i) => i > 0 && (ids[i - 1] ?? '') >= id)) {
    throw new TrustBundleError(
      'TRUST_BUNDLE_INVALID',
      'the trust bundle must list each organisation once, in MSP id order',
    );
  }
  return parsed.data;
}

/**
 * The bundle the invitation named: `value` must be a well-formed bundle whose
 * digest is `expectedDigest`, or it is refused (`TRUST_BUNDLE_MISMATCH`) and
 * nothing of it may be used.
 */
export function verifyTrustBundle(value: unknown, expectedDigest: string): TrustBundle {
  if (!TRUST_DIGEST_PATTERN.test(expectedDigest)) {
    throw new TrustBundleError(
      'TRUST_BUNDLE_MISMATCH',
      'the trust code must be the 64 hex digits your operator gave you',
    );
  }
  const bundle = parseTrustBundle(value);
  const digest = trustBundleDigest(bundle);
  if (digest !== expectedDigest) {
    throw new TrustBundleError(
      'TRUST_BUNDLE_MISMATCH',
      `the consortium's trust bundle is not the one your invitation names (got ${digest.slice(0, 16)}..., expected ${expectedDigest.slice(0, 16)}...)`,
    );
  }
  return bundle;
}

/** The pinned root certificates of `mspId`, or none when the bundle does not name it. */
export function rootsOf(bundle: TrustBundle, mspId: string): string[] {
  return bundle.organisations.find((o) => o.mspId === mspId)?.rootCertificates ?? [];
}
