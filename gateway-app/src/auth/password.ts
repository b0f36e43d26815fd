import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { AuthError } from './errors';

/** scrypt's CPU/memory cost N by default: 2^16, with r = 8 about 64 MiB and a tenth of a second per hash. */
export const DEFAULT_PASSWORD_COST = 2 ** 16;

const BLOCK_SIZE = 8;
const PARALLELISM = 1;
const SALT_BYTES = 16;
const KEY_BYTES = 32;
const MIN_COST = 2 ** 10;
const MAX_COST = 2 ** 20;

/** Options of {@link hashPassword}, {@link verifyPassword} and {@link dummyHash}. */
export interface PasswordHashOptions {
  /**
   * scrypt's N, a power of two from 2^10 to 2^20 (default {@link DEFAULT_PASSWORD_COST}). Lower it only
   * in tests. Existing hashes keep the cost they were made with.
   */
  cost?: number;
}

interface ScryptParameters {
  N: number;
  r: number;
  p: number;
}

/**
 * Hashes a password with scrypt (memory-hard) under a fresh 16-byte salt, after NFKC normalisation so
 * that the same password typed on another keyboard or system still matches.
 *
 * @returns `scrypt$N$r$p$<salt base64>$<key base64>`, self-describing so the cost can be raised later.
 * @throws {@link AuthError} `INVALID_ARGUMENT` for a cost outside the allowed range.
 */
export async function hashPassword(password: string, options: PasswordHashOptions = {}): Promise<string> {
  const parameters = { N: costOf(options), r: BLOCK_SIZE, p: PARALLELISM };
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password.normalize('NFKC'), salt, KEY_BYTES, parameters);
  return [
    'scrypt',
    parameters.N,
    parameters.r,
    parameters.p,
    salt.toString('base64'),
    key.toString('base64'),
  ].join('$');
}

/**
 * Checks a password against an encoded hash in constant time. A missing hash (no such account, or one
 * that has not completed enrolment) or a malformed one is checked against {@link dummyHash} instead and
 * yields `false`, so an unknown login name costs as much as a known one.
 *
 * @param options - the cost of the dummy hash; give the same options as to {@link hashPassword}.
 */
export async function verifyPassword(
  encoded: string | null | undefined,
  password: string,
  options: PasswordHashOptions = {},
): Promise<boolean> {
  const parsed = encoded == null ? undefined : parse(encoded);
  if (parsed === undefined) {
    const dummy = parse(await dummyHash(options));
    if (dummy !== undefined) {
      await derive(password.normalize('NFKC'), dummy.salt, dummy.key.length, dummy.parameters);
    }
    return false;
  }
  const key = await derive(password.normalize('NFKC'), parsed.salt, parsed.key.length, parsed.parameters);
  return timingSafeEqual(key, parsed.key);
}

const dummies = new Map<number, Promise<string>>();

/**
 * The hash of a random password nobody knows, made on first use and kept for the process's life, with
 * the given cost: what {@link verifyPassword} checks when there is no real hash.
 */
export function dummyHash(options: PasswordHashOptions = {}): Promise<string> {
  const cost = costOf(options);
  let dummy = dummies.get(cost);
  if (dummy === undefined) {
    dummy = hashPassword(randomBytes(32).toString('base64'), { cost });
    dummies.set(cost, dummy);
  }
  return dummy;
}

function costOf(options: PasswordHashOptions): number {
  const cost = options.cost ?? DEFAULT_PASSWORD_COST;
  if (!isCost(cost)) {
    throw new AuthError('INVALID_ARGUMENT', 'the password cost must be a power of two from 2^10 to 2^20', {
      details: { cost },
    });
  }
  return cost;
}

function isCost(n: number): boolean {
  return Number.isSafeInteger(n) && n >= MIN_COST && n <= MAX_COST && (n & (n - 1)) === 0;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const DECIMAL = /^[1-9][0-9]{0,7}$/;

function parse(encoded: string): { parameters: ScryptParameters; salt: Buffer; key: Buffer } | undefined {
  const fields = encoded.split('$');
  if (fields.length !== 6 || fields[0] !== 'scrypt') return undefined;
  const [, n, r, p, salt, key] = fields as [string, string, string, string, string, string];
  if (!DECIMAL.test(n) || !DECIMAL.test(r) || !DECIMAL.test(p) || !BASE64.test(salt) || !BASE64.test(key)) {
    return undefined;
  }
  const parameters = { N: Number(n), r: Number(r), p: Number(p) };
  const saltBytes = Buffer.from(salt, 'base64');
  const keyBytes = Buffer.from(key, 'base64');
  // Bounds keep a corrupted row from asking scrypt for gigabytes.
  if (!isCost(parameters.N) || parameters.r > 32 || parameters.p > 16) return undefined;
  if (saltBytes.length < 8 || saltBytes.length > 64 || keyBytes.length < 16 || keyBytes.length > 64)
    return undefined;
  return { parameters, salt: saltBytes, key: keyBytes };
}

function derive(
  password: string,
  salt: Buffer,
  length: number,
  { N, r, p }: ScryptParameters,
): Promise<Buffer> {
  // OpenSSL refuses unless maxmem covers its two buffers, 128·r·(N + 2) and 128·r·p bytes.
  const maxmem = 128 * r * (N + p + 2);
  return new Promise((resolve, reject) => {
    scrypt(password, salt, length, { N, r, p, maxmem }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

/** Password lengths allowed, in Unicode code points after NFKC normalisation. */
export const PASSWORD_LENGTH = { min: 12, max: 256 } as const;

/** Why {@link validatePasswordPolicy} refuses a password. */
export type PasswordProblemCode =
  'TOO_SHORT' | 'TOO_LONG' | 'COMMON' | 'REPETITIVE' | 'SEQUENTIAL' | 'CONTEXTUAL';

/** One reason a password is refused, with a sentence to show the user. */
export interface PasswordProblem {
  code: PasswordProblemCode;
  message: string;
}

// The most common leaked passwords of twelve characters or more (shorter ones fail on length anyway).
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  '12345678901234',
  '123456123456',
  '1q2w3e4r5t6y',
  '1qaz2wsx3edc',
  'zaq12wsxcde3',
  'qwertyuiop12',
  'qwertyuiop123',
  'qwerty123456',
  'qwertyqwerty',
  'asdfghjkl123',
  'password1234',
  'password123!',
  'password12345',
  'passwordpassword',
  'passw0rd1234',
  'p@ssw0rd1234',
  'iloveyou1234',
  'welcome12345',
  'welcome@1234',
  'letmein12345',
  'changeme1234',
  'administrator',
  'admin1234567',
  'abc123456789',
  'abcd12345678',
  'football1234',
  'baseball1234',
  'sunshine1234',
  'princess1234',
  'trustno1trustno1',
  'correcthorsebatterystaple',
]);

/**
 * Checks a new password against a NIST SP 800-63B style policy: 12 to 256 characters (after NFKC
 * normalisation, counted as code points, spaces and any Unicode allowed), not one of the most common
 * leaked passwords, not a short run repeated (`aaaaaaaaaaaa`, `abcabcabcabc`), not an ascending or
 * descending sequence (`abcdefghijkl`), and not containing the service name or a context word such as
 * the user's enrolment id. As 800-63B advises, there are no composition rules (a digit, a symbol...):
 * they make passwords harder to remember without making them much harder to guess.
 *
 * @param options.contextWords - words the password must not contain (case-insensitive; those of fewer
 *   than 4 characters are ignored).
 * @returns the problems found; empty when the password is acceptable.
 */
export function validatePasswordPolicy(
  password: string,
  options: { contextWords?: readonly string[] } = {},
): PasswordProblem[] {
  const normalised = password.normalize('NFKC');
  // 800-63B counts each Unicode code point as one character, so an emoji of several is several.
  const codePoints = Array.from(normalised);
  const lower = normalised.toLowerCase();
  const problems: PasswordProblem[] = [];
  if (codePoints.length < PASSWORD_LENGTH.min) {
    problems.push({ code: 'TOO_SHORT', message: `Use at least ${PASSWORD_LENGTH.min} characters.` });
  }
  if (codePoints.length > PASSWORD_LENGTH.max) {
    problems.push({ code: 'TOO_LONG', message: `Use at most ${PASSWORD_LENGTH.max} characters.` });
  }
  if (COMMON_PASSWORDS.has(lower)) {
    problems.push({
      code: 'COMMON',
      message: 'This password is one of the most commonly used; choose another.',
    });
  }
  if (codePoints.length > 0 && isRepetitive(codePoints)) {
    problems.push({ code: 'REPETITIVE', message: 'Do not repeat the same few characters.' });
  }
  if (codePoints.length > 2 && isSequential(codePoints)) {
    problems.push({ code: 'SEQUENTIAL', message: 'Do not use a sequence such as "abcdef" or "987654".' });
  }
  const context = ['medshare', ...(options.contextWords ?? [])]
    .map((w) => w.normalize('NFKC').toLowerCase())
    .filter((w) => Array.from(w).length >= 4);
  if (context.some((w) => lower.includes(w))) {
    problems.push({ code: 'CONTEXTUAL', message: 'Do not use the service name or your login name.' });
  }
  return problems;
}

function isRepetitive(codePoints: string[]): boolean {
  for (let unit = 1; unit <= 4 && unit < codePoints.length; unit++) {
    if (codePoints.every((c, i) => c === codePoints[i % unit])) return true;
  }
  return false;
}

function isSequential(codePoints: string[]): boolean {
  const values = codePoints.map((c) => c.codePointAt(0) ?? 0);
  const step = (values[1] ?? 0) - (values[0] ?? 0);
  return (step === 1 || step === -1) && values.every((v, i) => i === 0 || v - (values[i - 1] ?? 0) === step);
}
