import { randomBytes } from 'node:crypto';
import BetterSqlite3 from 'better-sqlite3';
import { z } from 'zod';
import { type Database, ensureSchema } from '../db/database';
import { AuthError } from './errors';

/** The roles of the consortium's certificates (the `role` attribute the CAs issue). */
export const ROLES = ['admin', 'technologist', 'doctor', 'patient', 'auditor'] as const;

/** A user's role, as in their certificate. */
export type Role = (typeof ROLES)[number];

/**
 * Where an account is in its life: `invited` by an operator and waiting for the user to enrol, `active`,
 * or `suspended` (refused at login).
 */
export type AccountStatus = 'invited' | 'active' | 'suspended';

/** Largest key backup an account may hold, in bytes of its UTF-8 text. */
export const MAX_KEY_BACKUP_BYTES = 16 * 1024;

/** An account as the gateway shows it: never its password hash, TOTP secret or last TOTP step. */
export interface Account {
  /** Random 16 bytes, base64url. */
  accountId: string;
  mspId: string;
  /** The user's enrolment id at their organisation's CA: with `mspId`, the login name. */
  enrollmentId: string;
  role: Role;
  status: AccountStatus;
  /** The user's enrolment certificate, once enrolled. */
  certificatePem: string | null;
  /** The user's pseudonymous id on the ledger, once enrolled. */
  userId: string | null;
  /** The user's public encryption key, base64 SPKI DER, once enrolled. */
  encryptionPublicKey: string | null;
  /** Whether the user has proved their authenticator works; until then TOTP logins are refused. */
  totpEnrolled: boolean;
  /** The user's private keys wrapped under their passphrase, opaque to the gateway. */
  keyBackup: string | null;
  createdAt: string;
  updatedAt: string;
}

/** What an operator gives to invite a user. */
export interface Invitation {
  mspId: string;
  enrollmentId: string;
  role: Role;
}

/** What a user's enrolment sets on their invited account. */
export interface Enrolment {
  /** From `hashPassword`. */
  passwordHash: string;
  certificatePem: string;
  userId: string;
  encryptionPublicKey: string;
  keyBackup: string | null;
  /** The TOTP secret sealed with `seal(secret, key, accountId)`. */
  totpSecretSealed: string;
}

/** Options of {@link AccountStore}. */
export interface AccountStoreOptions {
  /** The clock for `createdAt` and `updatedAt` (default the system clock). */
  now?: () => Date;
}

const mspId = z.string().regex(/^[A-Za-z][A-Za-z0-9.-]{0,63}$/, 'must be an MSP ID');
// No control characters: a newline would make `mspId\nenrollmentId` login keys ambiguous.
const enrollmentId = z
  .string()
  .regex(/^[^\p{Cc}\p{Cf}\s](?:[^\p{Cc}\p{Cf}]{0,126}[^\p{Cc}\p{Cf}\s])?$/u, 'must be an enrolment id');
const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
const keyBackup = z
  .string()
  .refine(
    (s) => Buffer.byteLength(s, 'utf8') <= MAX_KEY_BACKUP_BYTES,
    `must be at most ${MAX_KEY_BACKUP_BYTES} bytes`,
  )
  .nullable();
const passwordHash = z.string().max(512).startsWith('scrypt$', 'must come from hashPassword');
const invitationSchema = z.object({ mspId, enrollmentId, role: z.enum(ROLES) });
const enrolmentSchema = z.object({
  passwordHash,
  certificatePem: z
    .string()
    .max(16 * 1024)
    .includes('-----BEGIN CERTIFICATE-----', { message: 'must be PEM' }),
  userId: z.string().regex(/^[0-9a-f]{64}$/, 'must be a ledger user id'),
  encryptionPublicKey: z.string().max(1024).regex(base64, 'must be base64'),
  keyBackup,
  totpSecretSealed: z
    .string()
    .max(1024)
    .regex(/^v1\.[A-Za-z0-9_-]+$/, 'must come from seal'),
});

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS accounts (
    account_id TEXT PRIMARY KEY NOT NULL,
    msp_id TEXT NOT NULL,
    enrollment_id TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('admin', 'technologist', 'doctor', 'patient', 'auditor')),
    status TEXT NOT NULL CHECK (status IN ('invited', 'active', 'suspended')),
    certificate_pem TEXT,
    user_id TEXT UNIQUE,
    encryption_public_key TEXT,
    totp_enrolled INTEGER NOT NULL DEFAULT 0 CHECK (totp_enrolled IN (0, 1)),
    key_backup TEXT,
    password_hash TEXT,
    totp_secret_sealed TEXT,
    last_totp_step INTEGER,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (msp_id, enrollment_id)
  ) STRICT`,
];

// Only these columns are ever read into an Account; the credentials have their own getters.
const PUBLIC_COLUMNS = `account_id, msp_id, enrollment_id, role, status, certificate_pem, user_id,
  encryption_public_key, totp_enrolled, key_backup, created_at, updated_at`;

interface InternalColumns {
  password_hash: string | null;
  totp_secret_sealed: string | null;
  last_totp_step: number | null;
}

interface AccountRow {
  account_id: string;
  msp_id: string;
  enrollment_id: string;
  role: Role;
  status: AccountStatus;
  certificate_pem: string | null;
  user_id: string | null;
  encryption_public_key: string | null;
  totp_enrolled: number;
  key_backup: string | null;
  created_at: string;
  updated_at: string;
}

/**
 * The gateway's accounts, in SQLite: created by an operator's invitation, completed by the user's
 * enrolment, and the credentials of both login factors. Every change of state is one conditional
 * `UPDATE`, so two requests racing cannot both succeed where only one may.
 */
export class AccountStore {
  readonly #db: Database;
  readonly #now: () => Date;

  constructor(db: Database, options: AccountStoreOptions = {}) {
    this.#db = db;
    this.#now = options.now ?? (() => new Date());
    ensureSchema(db, 'auth/accounts/1', SCHEMA);
  }

  /**
   * Creates an invited account for a user the organisation's CA knows as `enrollmentId`.
   *
   * @throws {@link AuthError} `ALREADY_EXISTS` if the organisation has an account for that enrolment id;
   *   `INVALID_ARGUMENT` for a malformed MSP ID or enrolment id or an unknown role.
   */
  invite(invitation: Invitation): Account {
    const { mspId, enrollmentId, role } = parse(invitationSchema, invitation);
    const accountId = randomBytes(16).toString('base64url');
    const now = this.#now().toISOString();
    try {
      this.#db
        .prepare(
          `INSERT INTO accounts (account_id, msp_id, enrollment_id, role, status, created_at, updated_at)
           VALUES (?, ?, ?, ?, 'invited', ?, ?)`,
        )
        .run(accountId, mspId, enrollmentId, role, now, now);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AuthError(
          'ALREADY_EXISTS',
          'the organisation has an account for that enrolment id already',
          {
            cause: error,
            details: { mspId },
          },
        );
      }
      throw error;
    }
    return this.#existing(accountId);
  }

  /** The account with that id, if any. */
  byId(accountId: string): Account | undefined {
    return this.#one(`SELECT ${PUBLIC_COLUMNS} FROM accounts WHERE account_id = ?`, accountId);
  }

  /** The account of a login name (organisation and enrolment id), if any. */
  byLogin(mspId: string, enrollmentId: string): Account | undefined {
    return this.#one(
      `SELECT ${PUBLIC_COLUMNS} FROM accounts WHERE msp_id = ? AND enrollment_id = ?`,
      mspId,
      enrollmentId,
    );
  }

  /** The account of a ledger user, if any. */
  byUserId(userId: string): Account | undefined {
    return this.#one(`SELECT ${PUBLIC_COLUMNS} FROM accounts WHERE user_id = ?`, userId);
  }

  /** An organisation's accounts, by enrolment id. */
  list(mspId: string): Account[] {
    return this.#db
      .prepare<[string], AccountRow>(
        `SELECT ${PUBLIC_COLUMNS} FROM accounts WHERE msp_id = ? ORDER BY enrollment_id`,
      )
      .all(mspId)
      .map(toAccount);
  }

  /**
   * Completes an invited account with what the user's enrolment produced. The account becomes
   * `active`, but its TOTP stays unconfirmed until {@link AccountStore.confirmTotp}.
   *
   * @throws {@link AuthError} `NOT_FOUND`; `INVALID_STATE` unless the account is `invited`;
   *   `ALREADY_EXISTS` if another account has that ledger user id; `INVALID_ARGUMENT` for a malformed field
   *   or a key backup over {@link MAX_KEY_BACKUP_BYTES}.
   */
  completeEnrolment(accountId: string, enrolment: Enrolment): Account {
    const e = parse(enrolmentSchema, enrolment);
    let changes: number;
    try {
      ({ changes } = this.#db
        .prepare(
          `UPDATE accounts SET status = 'active', password_hash = ?, certificate_pem = ?, user_id = ?,
             encryption_public_key = ?, key_backup = ?, totp_secret_sealed = ?, totp_enrolled = 0,
             last_totp_step = NULL, updated_at = ?
           WHERE account_id = ? AND status = 'invited'`,
        )
        .run(
          e.passwordHash,
          e.certificatePem,
          e.userId,
          e.encryptionPublicKey,
          e.keyBackup,
          e.totpSecretSealed,
          this.#now().toISOString(),
          accountId,
        ));
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new AuthError('ALREADY_EXISTS', 'another account has that ledger user id', {
          cause: error,
          details: { accountId },
        });
      }
      throw error;
    }
    if (changes === 0) this.#explainRefusal(accountId, 'only an invited account can complete its enrolment');
    return this.#existing(accountId);
  }

  /**
   * Marks the account's authenticator as confirmed by a verified code of time step `step`, and records
   * that step as accepted unless a later one is. Confirmation happens once: a second call, racing or
   * replayed, is refused. Call it after {@link AccountStore.acceptTotpStep} has taken the same step (the
   * login path), or on its own.
   *
   * @throws {@link AuthError} `NOT_FOUND`; `INVALID_STATE` unless the account is active with an
   *   unconfirmed TOTP secret.
   */
  confirmTotp(accountId: string, step: number): Account {
    assertStep(step);
    const { changes } = this.#db
      .prepare(
        `UPDATE accounts SET totp_enrolled = 1, last_totp_step = max(coalesce(last_totp_step, ?), ?), updated_at = ?
         WHERE account_id = ? AND status = 'active' AND totp_enrolled = 0 AND totp_secret_sealed IS NOT NULL`,
      )
      .run(step, step, this.#now().toISOString(), accountId);
    if (changes === 0) {
      this.#explainRefusal(accountId, 'the account has no unconfirmed TOTP secret to confirm');
    }
    return this.#existing(accountId);
  }

  /**
   * The account's sealed TOTP secret (open it with the account id as `aad`), or `null` before enrolment.
   *
   * @throws {@link AuthError} `NOT_FOUND`.
   */
  totpSecretSealed(accountId: string): string | null {
    return this.#internal('totp_secret_sealed', accountId);
  }

  /**
   * The step of the last TOTP code accepted for the account, or `null` if none was: what
   * `TotpService.verify` takes as `lastAcceptedStep`.
   *
   * @throws {@link AuthError} `NOT_FOUND`.
   */
  lastTotpStep(accountId: string): number | null {
    return this.#internal('last_totp_step', accountId);
  }

  /**
   * The account's password hash, or `null` before enrolment (give that to `verifyPassword` all the same).
   *
   * @throws {@link AuthError} `NOT_FOUND`.
   */
  passwordHash(accountId: string): string | null {
    return this.#internal('password_hash', accountId);
  }

  /**
   * Records `step` as the account's last accepted TOTP step if it is later than the one recorded. This
   * is the replay guard: of two requests presenting the same code, however close together, exactly one
   * gets `true`.
   *
   * @returns whether the step was recorded; `false` means the code must be refused.
   */
  acceptTotpStep(accountId: string, step: number): boolean {
    assertStep(step);
    const { changes } = this.#db
      .prepare(
        `UPDATE accounts SET last_totp_step = ?
         WHERE account_id = ? AND (last_totp_step IS NULL OR last_totp_step < ?)`,
      )
      .run(step, accountId, step);
    return changes === 1;
  }

  /**
   * Suspends an account, or reactivates a suspended one that had completed its enrolment.
   *
   * @throws {@link AuthError} `NOT_FOUND`; `INVALID_STATE` to activate an account that never enrolled;
   *   `INVALID_ARGUMENT` for `invited` (an account is never invited again).
   */
  setStatus(accountId: string, status: AccountStatus): Account {
    if (status === 'invited') {
      throw new AuthError('INVALID_ARGUMENT', 'an account cannot be made invited again', {
        details: { accountId },
      });
    }
    const sql =
      status === 'suspended'
        ? `UPDATE accounts SET status = 'suspended', updated_at = ? WHERE account_id = ?`
        : `UPDATE accounts SET status = 'active', updated_at = ?
           WHERE account_id = ? AND status IN ('active', 'suspended') AND password_hash IS NOT NULL`;
    const { changes } = this.#db.prepare(sql).run(this.#now().toISOString(), accountId);
    if (changes === 0)
      this.#explainRefusal(accountId, 'an account that never completed its enrolment cannot be active');
    return this.#existing(accountId);
  }

  /**
   * Replaces an active account's key backup (after the user changed its passphrase, say), or removes it.
   *
   * @throws {@link AuthError} `NOT_FOUND`; `INVALID_STATE` unless the account is active;
   *   `INVALID_ARGUMENT` for a backup over {@link MAX_KEY_BACKUP_BYTES}.
   */
  setKeyBackup(accountId: string, blob: string | null): Account {
    const backup = parse(keyBackup, blob);
    const { changes } = this.#db
      .prepare(
        `UPDATE accounts SET key_backup = ?, updated_at = ? WHERE account_id = ? AND status = 'active'`,
      )
      .run(backup, this.#now().toISOString(), accountId);
    if (changes === 0) this.#explainRefusal(accountId, 'only an active account can change its key backup');
    return this.#existing(accountId);
  }

  /**
   * Replaces the password hash of an enrolled (active or suspended) account.
   *
   * @throws {@link AuthError} `NOT_FOUND`; `INVALID_STATE` for an invited account;
   *   `INVALID_ARGUMENT` for something that is not a `hashPassword` hash.
   */
  setPassword(accountId: string, hash: string): Account {
    const checked = parse(passwordHash, hash);
    const { changes } = this.#db
      .prepare(
        `UPDATE accounts SET password_hash = ?, updated_at = ? WHERE account_id = ? AND status != 'invited'`,
      )
      .run(checked, this.#now().toISOString(), accountId);
    if (changes === 0) this.#explainRefusal(accountId, 'an invited account sets its password by enrolling');
    return this.#existing(accountId);
  }

  #one(sql: string, ...params: string[]): Account | undefined {
    const row = this.#db.prepare<string[], AccountRow>(sql).get(...params);
    return row && toAccount(row);
  }

  #existing(accountId: string): Account {
    const account = this.byId(accountId);
    if (!account) throw notFound(accountId);
    return account;
  }

  #internal<K extends keyof InternalColumns>(column: K, accountId: string): InternalColumns[K] {
    const row = this.#db
      .prepare<[string], { value: InternalColumns[K] }>(
        `SELECT ${column} AS value FROM accounts WHERE account_id = ?`,
      )
      .get(accountId);
    if (!row) throw notFound(accountId);
    return row.value;
  }

  // A conditional UPDATE changed nothing: either there is no such account or its state forbade it.
  #explainRefusal(accountId: string, message: string): never {
    const account = this.byId(accountId);
    if (!account) throw notFound(accountId);
    throw new AuthError('INVALID_STATE', message, { details: { accountId, status: account.status } });
  }
}

function toAccount(row: AccountRow): Account {
  return {
    accountId: row.account_id,
    mspId: row.msp_id,
    enrollmentId: row.enrollment_id,
    role: row.role,
    status: row.status,
    certificatePem: row.certificate_pem,
    userId: row.user_id,
    encryptionPublicKey: row.encryption_public_key,
    totpEnrolled: row.totp_enrolled === 1,
    keyBackup: row.key_backup,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue?.path.map(String).join('.') ?? '';
  throw new AuthError('INVALID_ARGUMENT', `${field || 'value'}: ${issue?.message ?? 'invalid'}`, {
    details: { field },
  });
}

function assertStep(step: number): void {
  if (!Number.isSafeInteger(step) || step < 0) {
    throw new AuthError('INVALID_ARGUMENT', 'a TOTP step must be a non-negative integer', {
      details: { step },
    });
  }
}

function notFound(accountId: string): AuthError {
  return new AuthError('NOT_FOUND', 'no account has that id', { details: { accountId } });
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof BetterSqlite3.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE';
}
