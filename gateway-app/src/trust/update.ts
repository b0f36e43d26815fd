import { z } from 'zod';
import { fromBase64 } from '../envelope/bytes';
import * as x509 from '../x509';
import { issuedByAny, verificationKeyOf, verifyDerSignature } from './certificates';
import {
  parseTrustBundle,
  peerOrganisations,
  TRUST_DIGEST_PATTERN,
  trustBundleDigest,
  TrustBundleError,
  type TrustBundle,
} from './bundle';

/** One organisation admin's approval of a change to the trust bundle. */
export interface TrustApproval {
  mspId: string;
  /** The admin's certificate (PEM), issued by the organisation's CA with organisational unit `admin`. */
  certificatePem: string;
  /** base64 DER ECDSA P-256 signature over {@link approvalMessage}. */
  signature: string;
}

/**
 * A change to the consortium's trust bundle (a new organisation, a renewed
 * CA root), from the bundle devices pinned to the next, with the approvals of
 * organisation admins. It authenticates itself: a device accepts it only if
 * admins of a majority of the peer organisations it already trusts signed
 * this very change, so neither the gateway that hands it over nor any single
 * organisation can make a device trust a CA of its choosing.
 */
export interface TrustUpdate {
  v: 1;
  /** The digest (trust code) of the bundle this update replaces. */
  previous: string;
  bundle: TrustBundle;
  approvals: TrustApproval[];
}

const updateSchema = z
  .object({
    v: z.literal(1),
    previous: z.string().regex(TRUST_DIGEST_PATTERN),
    bundle: z.unknown(),
    approvals: z
      .array(
        z
          .object({
            mspId: z.string().min(1).max(64),
            certificatePem: z.string().min(1).max(8192),
            signature: z.string().min(1).max(200),
          })
          .strict(),
      )
      .max(64),
  })
  .strict();

/** What an admin signs: the change from one bundle to the next, by their digests. */
export function approvalMessage(previous: string, next: string): Uint8Array {
  return new TextEncoder().encode(`medshare/trust-update/v1\n${previous}\n${next}`);
}

/** Validates an update's shape; `TRUST_BUNDLE_INVALID` otherwise. */
export function parseTrustUpdate(value: unknown): TrustUpdate {
  const parsed = updateSchema.safeParse(value);
  if (!parsed.success) {
    throw new TrustBundleError('TRUST_BUNDLE_INVALID', 'the trust update is malformed');
  }
  return { ...parsed.data, bundle: parseTrustBundle(parsed.data.bundle) };
}

/** How many peer organisations must approve a change: a majority of those the device trusts now. */
export function approvalsNeeded(pinned: TrustBundle): number {
  return Math.floor(peerOrganisations(pinned).length / 2) + 1;
}

async function approvedBy(
  approval: TrustApproval,
  pinned: TrustBundle,
  message: Uint8Array,
  at: Date,
): Promise<string | undefined> {
  const organisation = pinned.organisations.find((o) => o.mspId === approval.mspId && o.role === 'peer');
  if (!organisation) return undefined;
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(approval.certificatePem);
  } catch {
    return undefined;
  }
  if (!certificate.subjectName.getField('OU').includes('admin')) return undefined;
  if (at < certificate.notBefore || at > certificate.notAfter) return undefined;
  if (!(await issuedByAny(certificate, organisation.rootCertificates, at))) return undefined;
  const der = fromBase64(approval.signature);
  if (!der) return undefined;
  const key = await verificationKeyOf(certificate);
  return (await verifyDerSignature(key, der, message)) ? approval.mspId : undefined;
}

/**
 * The bundle a device may pin next: `value` must be a well-formed update from
 * the bundle it pinned (`TRUST_BUNDLE_MISMATCH` otherwise), approved by
 * admins of a majority of the peer organisations of that pinned bundle, each
 * certified by their organisation's pinned CA root (`TRUST_UPDATE_UNAPPROVED`
 * otherwise). Approvals that do not check simply do not count.
 */
export async function verifyTrustUpdate(
  value: unknown,
  pinned: TrustBundle,
  at: Date = new Date(),
): Promise<TrustBundle> {
  const update = parseTrustUpdate(value);
  const current = trustBundleDigest(pinned);
  if (update.previous !== current) {
    throw new TrustBundleError(
      'TRUST_BUNDLE_MISMATCH',
      `the update replaces the bundle ${update.previous.slice(0, 16)}..., not the one this device pinned (${current.slice(0, 16)}...)`,
    );
  }
  const message = approvalMessage(update.previous, trustBundleDigest(update.bundle));
  const approved = new Set<string>();
  for (const approval of update.approvals) {
    const mspId = await approvedBy(approval, pinned, message, at);
    if (mspId) approved.add(mspId);
  }
  const needed = approvalsNeeded(pinned);
  if (approved.size < needed) {
    throw new TrustBundleError(
      'TRUST_UPDATE_UNAPPROVED',
      `the trust update is approved by admins of ${approved.size} organisation(s)${approved.size ? ` (${[...approved].sort().join(', ')})` : ''}; ${needed} are needed`,
    );
  }
  return update.bundle;
}
