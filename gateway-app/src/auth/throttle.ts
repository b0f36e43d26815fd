import { createHash } from 'node:crypto';
import { type Database, ensureSchema } from '../db/database';

/** Whether a login name may try now, and if not, for how long it may not. */
export interface ThrottleState {
  locked: boolean;
  /** Whole seconds until the lock ends (for a `Retry-After` header); 0 when not locked. */
  retryAfterSeconds: number;
}

/** Options of {@link LoginThrottle}. */
export interface LoginThrottleOptions {
  /** Consecutive failures that lock a login name (default 5). */
  maxFailures?: number;
  /** How long a lock lasts, in milliseconds (default 15 minutes). */
  lockMs?: number;
  /** A run of failures older than this is forgotten, in milliseconds (default 24 hours). */
  forgetAfterMs?: number;
  /** The clock used when a method is given no time (default the system clock). */
  now?: () => Date;
}

/**
 * The throttle key of a login name: the SHA-256 of `mspId\nenrollmentId`, in hex, so the throttle
 * table holds no login names.
 */
export function loginKey(mspId: string, enrollmentId: string): string {
  return createHash('sha256').update(`${mspId}\n${enrollmentId}`, 'utf8').digest('hex');
}

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS login_throttle (
    key TEXT PRIMARY KEY NOT NULL,
    failures INTEGER NOT NULL,
    locked_until INTEGER,
    last_failure_at INTEGER NOT NULL
  ) STRICT`,
];

interface ThrottleRow {
  failures: number;
  locked_until: number | null;
  last_failure_at: number;
}

/**
 * Locks a login name for a while after too many consecutive failures of either factor, whether or not
 * an account has that name, so a lock says nothing about which accounts exist. The counters live in
 * SQLite, so restarting the gateway does not reset them. The caller checks before verifying anything,
 * records each failure and clears the count on a complete login.
 */
export class LoginThrottle {
  readonly #db: Database;
  readonly #maxFailures: number;
  readonly #lockMs: number;
  readonly #forgetAfterMs: number;
  readonly #now: () => Date;

  constructor(db: Database, options: LoginThrottleOptions = {}) {
    this.#db = db;
    this.#maxFailures = options.maxFailures ?? 5;
    this.#lockMs = options.lockMs ?? 15 * 60_000;
    this.#forgetAfterMs = options.forgetAfterMs ?? 24 * 60 * 60_000;
    this.#now = options.now ?? (() => new Date());
    ensureSchema(db, 'auth/login_throttle/1', SCHEMA);
  }

  /** Whether the login name of `key` (from {@link loginKey}) is locked at `now`. */
  check(key: string, now: Date = this.#now()): ThrottleState {
    return stateOf(this.#row(key), now.getTime());
  }

  /**
   * Records a failed password or TOTP code for the login name of `key`; the failure that reaches the
   * limit locks it. Failures while it is locked are not counted and do not extend the lock.
   *
   * @returns the state after this failure.
   */
  fail(key: string, now: Date = this.#now()): ThrottleState {
    const t = now.getTime();
    const record = this.#db.transaction(() => {
      const row = this.#row(key);
      if (row?.locked_until != null && row.locked_until > t) return stateOf(row, t);
      const streak = row && row.last_failure_at > t - this.#forgetAfterMs ? row.failures : 0;
      const failures = streak + 1;
      const next: ThrottleRow =
        failures >= this.#maxFailures
          ? { failures: 0, locked_until: t + this.#lockMs, last_failure_at: t }
          : { failures, locked_until: null, last_failure_at: t };
      this.#db
        .prepare(
          `INSERT INTO login_throttle (key, failures, locked_until, last_failure_at) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET failures = excluded.failures, locked_until = excluded.locked_until,
             last_failure_at = excluded.last_failure_at`,
        )
        .run(key, next.failures, next.locked_until, next.last_failure_at);
      return stateOf(next, t);
    });
    return record.immediate();
  }

  /** Clears the failures of the login name of `key`, after a complete login. */
  succeed(key: string): void {
    this.#db.prepare('DELETE FROM login_throttle WHERE key = ?').run(key);
  }

  /**
   * Deletes what no longer matters: login names neither locked nor failing within `forgetAfterMs`. Call
   * it now and then (say hourly) to keep made-up login names from accumulating.
   *
   * @returns how many rows were deleted.
   */
  prune(now: Date = this.#now()): number {
    const t = now.getTime();
    return this.#db
      .prepare(
        'DELETE FROM login_throttle WHERE (locked_until IS NULL OR locked_until <= ?) AND last_failure_at <= ?',
      )
      .run(t, t - this.#forgetAfterMs).changes;
  }

  #row(key: string): ThrottleRow | undefined {
    return this.#db
      .prepare<[string], ThrottleRow>(
        'SELECT failures, locked_until, last_failure_at FROM login_throttle WHERE key = ?',
      )
      .get(key);
  }
}

function stateOf(row: ThrottleRow | undefined, t: number): ThrottleState {
  const until = row?.locked_until;
  if (until == null || until <= t) return { locked: false, retryAfterSeconds: 0 };
  return { locked: true, retryAfterSeconds: Math.ceil((until - t) / 1000) };
}
