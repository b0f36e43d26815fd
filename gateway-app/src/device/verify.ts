import { verify, X509Certificate } from 'node:crypto';
import { DEVICE_ROLE, deviceIdOf, fabricAttributesOf, isP256, issuedBy } from './certificate';
import type { DeviceRegistry } from './device-registry';
import { DeviceCheckError, type DeviceCheckCode } from './errors';
import type { PostureFacts } from './facts';
import type { NonceBook } from './nonces';
import { toOrigin } from './origin';
import { evaluatePolicy, type DevicePolicy, type PolicyViolation } from './policy';
import { parseReport, postureHash, type ParsedReport } from './report';

/** One device check: the report as received, and what it must answer. */
export interface DeviceCheckInput {
  /** The report as the client sent it (untrusted). */
  report: unknown;
  /** The organisation of the signed-in user: the device must be certified by its CA and enrolled in it. */
  mspId: string;
  /** The user's session, to which the nonce must have been issued. */
  sessionKey: string;
  /** Where the session's nonces were issued; the report's nonce is used up here. */
  nonces: NonceBook;
  /** This gateway's public origin, which the report must be signed for. */
  audience: string;
}

/** What the check runs against. */
export interface DeviceCheckDeps {
  /** PEM root certificates of each organisation's CA, by MSP ID. */
  caCertificates: ReadonlyMap<string, readonly string[]>;
  /** Whether the device certificate's CA has revoked it (its CRL); none revoked when absent. */
  revoked?: (certificatePem: string) => boolean;
  registry: DeviceRegistry;
  policy: DevicePolicy;
  now(): Date;
}

/** A report that passed every check. */
export interface DeviceCheckSuccess {
  ok: true;
  deviceId: string;
  /** SHA-256 hex of the signed payload, for the ledger transaction. */
  postureHash: string;
  facts: PostureFacts;
  violations: [];
}

/** A refused report: the first check it failed. */
export interface DeviceCheckFailure {
  ok: false;
  code: DeviceCheckCode;
  /** One sentence, safe to show the user, saying what to do where there is something to do. */
  message: string;
  /** What the device lacks (POLICY_FAILED only; empty otherwise). */
  violations: PolicyViolation[];
  /** Known once the certificate has been read. */
  deviceId?: string;
  /** Known once the report has been parsed. */
  postureHash?: string;
}

/** The outcome of {@link verifyDeviceReport}. */
export type DeviceCheckResult = DeviceCheckSuccess | DeviceCheckFailure;

/** How far ahead of the gateway's clock a device's clock may run. */
const MAX_CLOCK_AHEAD_MS = 30_000;

function caRoots(pems: readonly string[]): X509Certificate[] {
  const roots: X509Certificate[] = [];
  for (const bundle of pems) {
    for (const pem of bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []) {
      try {
        roots.push(new X509Certificate(pem));
      } catch {
        // A root that does not parse trusts nothing; the others still apply.
      }
    }
  }
  return roots;
}

function check(input: DeviceCheckInput, deps: DeviceCheckDeps): DeviceCheckResult {
  const fail = (
    code: DeviceCheckCode,
    message: string,
    known: { deviceId?: string; postureHash?: string; violations?: PolicyViolation[] } = {},
  ): DeviceCheckFailure => ({ ok: false, code, message, violations: known.violations ?? [], ...known });

  let parsed: ParsedReport;
  try {
    parsed = parseReport(input.report);
  } catch (error) {
    if (error instanceof DeviceCheckError) {
      return fail(error.code, `malformed device report: ${error.message}`);
    }
    throw error;
  }
  const { report, payload } = parsed;
  const hash = postureHash(report);
  let certificate: X509Certificate;
  try {
    certificate = new X509Certificate(report.certificate);
  } catch {
    return fail('MALFORMED_REPORT', 'malformed device report: certificate: cannot be parsed', {
      postureHash: hash,
    });
  }
  const known = { deviceId: deviceIdOf(certificate), postureHash: hash };
  const now = deps.now();

  const roots = caRoots(deps.caCertificates.get(input.mspId) ?? []);
  if (!isP256(certificate.publicKey) || !roots.some((root) => issuedBy(certificate, root, now))) {
    return fail(
      'CERTIFICATE_UNTRUSTED',
      `the device certificate was not issued by the certificate authority of ${input.mspId}, or has expired; ` +
        'enrol the device again',
      known,
    );
  }
  if (deps.revoked?.(report.certificate) === true) {
    return fail(
      'DEVICE_REVOKED',
      'the device certificate has been revoked by your organisation; enrol the device again with a new identity',
      known,
    );
  }
  if (fabricAttributesOf(report.certificate)?.role !== DEVICE_ROLE) {
    return fail('NOT_A_DEVICE', 'the certificate is not a device certificate (it lacks role=device)', known);
  }
  const device = deps.registry.get(known.deviceId);
  if (device?.mspId !== input.mspId) {
    return fail(
      'DEVICE_UNKNOWN',
      'this device is not enrolled with the gateway; enrol it with the device agent',
      known,
    );
  }
  if (device.status !== 'active') {
    return fail('DEVICE_SUSPENDED', 'this device has been suspended; contact your administrator', known);
  }
  let signed: boolean;
  try {
    signed = verify(
      'sha256',
      Buffer.from(report.payload, 'utf8'),
      { key: certificate.publicKey, dsaEncoding: 'der' },
      Buffer.from(report.signature, 'base64'),
    );
  } catch {
    signed = false;
  }
  if (!signed) return fail('BAD_SIGNATURE', 'the report signature does not verify', known);
  if (!input.nonces.consume(input.sessionKey, payload.nonce)) {
    return fail(
      'NONCE_INVALID',
      'the report answers an unknown, expired or already used challenge; retry',
      known,
    );
  }
  if (payload.audience !== (toOrigin(input.audience) ?? input.audience)) {
    return fail('AUDIENCE_MISMATCH', 'the report was signed for another gateway', known);
  }
  const collectedAt = Date.parse(payload.collectedAt);
  if (now.getTime() - collectedAt > deps.policy.maxReportAgeSeconds * 1000) {
    return fail('REPORT_STALE', 'the device report is too old; retry', known);
  }
  if (collectedAt - now.getTime() > MAX_CLOCK_AHEAD_MS) {
    return fail('REPORT_STALE', "the device report is dated in the future; check the device's clock", known);
  }
  const violations = evaluatePolicy(payload.facts, deps.policy);
  if (violations.length > 0) {
    return fail(
      'POLICY_FAILED',
      `the device does not meet the security policy: ${violations.map((v) => v.message).join('; ')}`,
      { ...known, violations },
    );
  }
  deps.registry.touch(known.deviceId, now);
  return { ok: true, deviceId: known.deviceId, postureHash: hash, facts: payload.facts, violations: [] };
}

/**
 * Checks a device report before a send or fetch, in order: its form, that the organisation's CA
 * certified the device (role=device), that the device is enrolled and active, the signature, the
 * session's nonce (used up, so a report is good once), the audience, freshness, and the policy.
 * Resolves with the first failure or with the device's id and posture hash; it does not reject for
 * anything in the report, only when the registry itself fails.
 */
export function verifyDeviceReport(
  input: DeviceCheckInput,
  deps: DeviceCheckDeps,
): Promise<DeviceCheckResult> {
  return new Promise((resolve) => {
    resolve(check(input, deps));
  });
}

/**
 * The success of a device check, or a {@link DeviceCheckError} thrown with the failure's code and message
 * (details: `violations`, `deviceId`, `postureHash`), for the HTTP layer to map.
 */
export function assertDeviceCheck(result: DeviceCheckResult): DeviceCheckSuccess {
  if (result.ok) return result;
  const details: Record<string, unknown> = { violations: result.violations };
  if (result.deviceId !== undefined) details.deviceId = result.deviceId;
  if (result.postureHash !== undefined) details.postureHash = result.postureHash;
  throw new DeviceCheckError(result.code, result.message, { details });
}
