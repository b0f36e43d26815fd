import { createHash, sign, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { CERTIFICATE_PEM_PATTERN } from './certificate';
import { DeviceCheckError, DeviceError } from './errors';
import { postureFactsSchema, type PostureFacts } from './facts';
import { NONCE_PATTERN } from './nonces';
import { isOrigin } from './origin';

/**
 * A device's signed posture report, as the agent hands it to the browser or CLI and they pass it on to
 * the gateway. The signature covers the exact UTF-8 bytes of `payload`, so the gateway verifies and
 * hashes what the device signed, whatever JSON serialiser sits in between.
 */
export interface DeviceReport {
  v: 1;
  /** JSON of a {@link ReportPayload}. */
  payload: string;
  /** Base64 DER ECDSA P-256 SHA-256 signature over the UTF-8 bytes of `payload`. */
  signature: string;
  /** The device certificate, PEM. */
  certificate: string;
}

/** What a device signs: its posture, bound to one gateway challenge. */
export interface ReportPayload {
  v: 1;
  /** The nonce the gateway issued to the user's session. */
  nonce: string;
  /** The origin of the gateway the report is for, e.g. `https://gateway.hospital-a.example`. */
  audience: string;
  /** When the facts were collected, ISO 8601. */
  collectedAt: string;
  facts: PostureFacts;
}

/** A parsed report and its parsed payload. */
export interface ParsedReport {
  report: DeviceReport;
  payload: ReportPayload;
}

/** What {@link signReport} needs. */
export interface SignReportInput {
  /** The device's P-256 private key. */
  privateKey: KeyObject;
  certificatePem: string;
  nonce: string;
  audience: string;
  facts: PostureFacts;
  /** When the facts were collected (default now). */
  collectedAt?: Date;
}

/** Largest report the gateway reads, in bytes of its fields. */
export const MAX_REPORT_BYTES = 16 * 1024;
const MAX_PAYLOAD_BYTES = 8 * 1024;
const MAX_CERTIFICATE_BYTES = 6 * 1024;

const utf8Bytes = (s: string) => Buffer.byteLength(s, 'utf8');

const reportSchema = z.strictObject({
  v: z.literal(1),
  payload: z.string().refine((s) => utf8Bytes(s) <= MAX_PAYLOAD_BYTES, `at most ${MAX_PAYLOAD_BYTES} bytes`),
  signature: z
    .string()
    .max(128)
    .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64'),
  certificate: z
    .string()
    .max(MAX_CERTIFICATE_BYTES)
    .regex(CERTIFICATE_PEM_PATTERN, 'must be one PEM certificate'),
}) satisfies z.ZodType<DeviceReport>;

const payloadSchema = z.strictObject({
  v: z.literal(1),
  nonce: z.string().regex(NONCE_PATTERN, 'must be a nonce issued by the gateway'),
  audience: z.string().max(256).refine(isOrigin, 'must be an origin such as https://gateway.example'),
  collectedAt: z.iso.datetime({ offset: true }),
  facts: postureFactsSchema,
}) satisfies z.ZodType<ReportPayload>;

function firstIssue(error: z.ZodError, prefix: string): string {
  const issue = error.issues[0];
  const path = [prefix, ...(issue?.path ?? [])].filter((p) => p !== '').join('.');
  return `${path || 'report'}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Signs `facts`, collected at `collectedAt`, for the challenge `nonce` of the gateway at `audience`
 * (it collects nothing itself). Throws {@link DeviceError} INVALID_ARGUMENT for anything the gateway would
 * refuse to parse (a malformed nonce, an audience that is not an origin, facts out of bounds).
 */
export function signReport(input: SignReportInput): DeviceReport {
  const fields: ReportPayload = {
    v: 1,
    nonce: input.nonce,
    audience: input.audience,
    collectedAt: (input.collectedAt ?? new Date()).toISOString(),
    facts: input.facts,
  };
  const checked = payloadSchema.safeParse(fields);
  if (!checked.success) throw new DeviceError('INVALID_ARGUMENT', firstIssue(checked.error, ''));
  const payload = JSON.stringify(checked.data);
  const signature = sign('sha256', Buffer.from(payload, 'utf8'), {
    key: input.privateKey,
    dsaEncoding: 'der',
  });
  const report: DeviceReport = {
    v: 1,
    payload,
    signature: signature.toString('base64'),
    certificate: input.certificatePem,
  };
  const whole = reportSchema.safeParse(report);
  if (!whole.success) throw new DeviceError('INVALID_ARGUMENT', firstIssue(whole.error, ''));
  return report;
}

/**
 * Reads an untrusted report: its shape, sizes and payload, strictly. Checks no signature, certificate
 * or freshness (that is `verifyDeviceReport`). Throws {@link DeviceCheckError} MALFORMED_REPORT naming
 * the first offending field.
 */
export function parseReport(raw: unknown): ParsedReport {
  const report = reportSchema.safeParse(raw);
  if (!report.success) throw new DeviceCheckError('MALFORMED_REPORT', firstIssue(report.error, ''));
  const { payload, signature, certificate } = report.data;
  if (utf8Bytes(payload) + utf8Bytes(signature) + utf8Bytes(certificate) > MAX_REPORT_BYTES) {
    throw new DeviceCheckError('MALFORMED_REPORT', `report: larger than ${MAX_REPORT_BYTES} bytes`);
  }
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch (cause) {
    throw new DeviceCheckError('MALFORMED_REPORT', 'payload: not JSON', { cause });
  }
  const parsed = payloadSchema.safeParse(json);
  if (!parsed.success) throw new DeviceCheckError('MALFORMED_REPORT', firstIssue(parsed.error, 'payload'));
  return { report: report.data, payload: parsed.data };
}

/**
 * SHA-256 (lower-case hex) of the UTF-8 bytes of a report's payload: what the ledger transaction records
 * as the device's posture at the time of a send or fetch.
 */
export function postureHash(report: Pick<DeviceReport, 'payload'>): string {
  return createHash('sha256').update(report.payload, 'utf8').digest('hex');
}
