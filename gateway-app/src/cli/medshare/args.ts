import { InvalidArgumentError } from 'commander';
import type { EmergencyReason } from '../../client/break-glass';
import type { InboxKind } from '../../client/audit';
import { UsageError } from './errors';

// Argument parsers for commander: each throws InvalidArgumentError, which
// commander reports as a usage error naming the option.

/** HL7 PurposeOfUse codes the chaincode accepts. */
export const PURPOSES = ['TREAT', 'PATRQT', 'CAREMGT', 'HOPERAT', 'ETREAT'] as const;
/** A purpose of use. */
export type Purpose = (typeof PURPOSES)[number];

/** Break-glass reason codes. */
export const REASONS = ['UNCONSCIOUS', 'LIFE_THREATENING', 'URGENT_CARE', 'OTHER'] as const;

import { INVITABLE_ROLES } from '../../client/ca-token';
export { INVITABLE_ROLES, type InvitableRole } from '../../client/ca-token';

/** The kinds `inbox` lists. */
export const INBOX_KINDS = ['transfer', 'grant', 'breakGlass'] as const satisfies readonly InboxKind[];

/** Audit export formats. */
export const AUDIT_FORMATS = ['json', 'csv', 'fhir'] as const;
/** An audit export format. */
export type AuditFormat = (typeof AUDIT_FORMATS)[number];

function oneOf<T extends string>(values: readonly T[], what: string): (value: string) => T {
  return (value) => {
    if (!(values as readonly string[]).includes(value)) {
      throw new InvalidArgumentError(`${what} must be one of ${values.join(', ')}`);
    }
    return value as T;
  };
}

/** `--purpose`. */
export const parsePurpose = oneOf(PURPOSES, 'the purpose');
/** `--reason`. */
export const parseReason: (value: string) => EmergencyReason = oneOf(REASONS, 'the reason');
/** `--role` of an invitation. */
export const parseInvitableRole = oneOf(INVITABLE_ROLES, 'the role');
/** `--kind` of the inbox. */
export const parseInboxKind: (value: string) => InboxKind = oneOf(INBOX_KINDS, 'the kind');
/** `--format` of an audit export. */
export const parseAuditFormat = oneOf(AUDIT_FORMATS, 'the format');
/** `--finding` of a review. */
export const parseFinding = oneOf(['justified', 'unjustified'] as const, 'the finding');
/** `--role` of the directory. */
export const parseDirectoryRole = oneOf(
  ['technologist', 'doctor', 'patient', 'auditor', 'admin'] as const,
  'the role',
);

/** A record id: 16 to 64 URL-safe characters. */
export function parseRecordId(value: string): string {
  if (!/^[A-Za-z0-9_-]{16,64}$/.test(value)) {
    throw new InvalidArgumentError('a record id is 16 to 64 letters, digits, "_" or "-"');
  }
  return value;
}

/** A ledger user id: 64 lower-case hex characters. */
export function parseUserId(value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) {
    throw new InvalidArgumentError('a user id is 64 lower-case hex characters (see medshare directory)');
  }
  return value;
}

/** A review id: the break-glass opening's transaction id. */
export function parseReviewId(value: string): string {
  if (!/^[0-9a-f]{64}$/.test(value)) throw new InvalidArgumentError('a review id is 64 hex characters');
  return value;
}

/** An enrolment id as the CA registers it. */
export function parseEnrollmentId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/.test(value)) {
    throw new InvalidArgumentError('an enrolment id is 1 to 64 letters, digits and . _ @ + -');
  }
  return value;
}

/** An MSP ID. */
export function parseMspId(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9.-]{0,63}$/.test(value)) {
    throw new InvalidArgumentError('an MSP ID is 1 to 64 letters, digits, "." or "-"');
  }
  return value;
}

/** A TOTP code: 6 digits (spaces allowed, as authenticators group them). */
export function parseCode(value: string): string {
  const code = value.replace(/\s/g, '');
  if (!/^\d{6}$/.test(code)) throw new InvalidArgumentError('a code is 6 digits');
  return code;
}

function integerIn(min: number, max: number, what: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d{1,6}$/.test(value) || n < min || n > max) {
      throw new InvalidArgumentError(`${what} must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
}

/** `--minutes` of a break-glass opening (the chaincode allows up to 4 hours). */
export const parseMinutes = integerIn(1, 240, 'the minutes');
/** `--days` of a grant (at most a year). */
export const parseDays = integerIn(1, 366, 'the days');

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** An ISO 8601 UTC time, as the ledger wants it: `YYYY-MM-DDTHH:MM:SSZ`. */
export function parseIsoUtc(value: string): string {
  const ms = Date.parse(value);
  if (!ISO_UTC.test(value) || Number.isNaN(ms)) {
    throw new InvalidArgumentError('give an ISO 8601 UTC time such as 2027-01-31T12:00:00Z');
  }
  return isoSeconds(new Date(ms));
}

/** A time as `YYYY-MM-DDTHH:MM:SSZ` (whole seconds, as the chaincode's expiry check wants). */
export function isoSeconds(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** A grant's expiry from exactly one of `--days` and `--until`. */
export function grantExpiry(options: { days?: number; until?: string }, now: Date = new Date()): string {
  if ((options.days === undefined) === (options.until === undefined)) {
    throw new UsageError('give exactly one of --days N and --until ISO');
  }
  if (options.until !== undefined) {
    if (Date.parse(options.until) <= now.getTime()) throw new UsageError('--until must be in the future');
    return options.until;
  }
  return isoSeconds(new Date(now.getTime() + (options.days ?? 0) * 86_400_000));
}

/** A time range for an audit: `from` before `to`. */
export function auditRange(from: string, to: string): { from: string; to: string } {
  if (Date.parse(from) >= Date.parse(to)) throw new UsageError('--from must be before --to');
  return { from, to };
}

/** The gateway's base URL: https, or http on loopback only (a workstation talking to a local gateway). */
/** A trust code: the 64 hex digits of the consortium's trust bundle digest, from the invitation. */
export function parseTrustDigest(value: string): string {
  const digest = value.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(digest)) {
    throw new InvalidArgumentError(
      'the trust code is the 64 hex digits your operator gave you with the secret',
    );
  }
  return digest;
}

export function parseGatewayUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('give the gateway as a URL such as https://gateway.hospital-a.example');
  }
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new InvalidArgumentError('the gateway must be reached over https (http only on loopback)');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new InvalidArgumentError('the gateway URL takes no credentials, query or fragment');
  }
  return `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
}

/** A device agent's URL (on this machine). */
export function parseAgentUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError('give the device agent as a URL such as http://127.0.0.1:7391');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new InvalidArgumentError('the device agent URL must be http(s)');
  }
  return url.origin;
}

/** A media type as the chaincode accepts it. */
export function parseMediaType(value: string): string {
  if (!/^[a-z]+\/[a-z0-9.+-]{1,80}$/.test(value)) {
    throw new InvalidArgumentError('a media type looks like application/dicom');
  }
  return value;
}

/** The purpose `open` uses unless told: a patient reads their own record, anyone else for treatment. */
export function defaultPurpose(role: string): Purpose {
  return role === 'patient' ? 'PATRQT' : 'TREAT';
}
