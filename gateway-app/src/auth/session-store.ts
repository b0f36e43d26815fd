import session, { type SessionData } from 'express-session';
import { type Database, ensureSchema } from '../db/database';

/** Options of {@link SqliteSessionStore}. */
export interface SqliteSessionStoreOptions {
  /** Lifetime of a session whose cookie sets no expiry (a browser-session cookie), in ms (default 1 day). */
  ttlMs?: number;
  /** How often expired sessions are deleted, in ms (default 10 minutes); 0 to sweep only on demand. */
  sweepIntervalMs?: number;
  /** The clock (default the system clock). */
  now?: () => Date;
}

type Callback = (error?: unknown) => void;

const SCHEMA = [
  `CREATE TABLE IF NOT EXISTS sessions (
    sid TEXT PRIMARY KEY NOT NULL,
    data TEXT NOT NULL,
    expires_at INTEGER NOT NULL
  ) STRICT`,
  'CREATE INDEX IF NOT EXISTS sessions_expires_at ON sessions (expires_at)',
];

/**
 * An express-session store in the gateway's SQLite database, so sessions survive a restart and are
 * shared by processes on the same file. Each session is stored as JSON with its expiry (from its
 * cookie's `expires`, else its `maxAge`, else `ttlMs`); an expired session is never returned, and
 * expired rows are deleted periodically. Call {@link SqliteSessionStore.close} before closing the
 * database.
 */
export class SqliteSessionStore extends session.Store {
  readonly #db: Database;
  readonly #ttlMs: number;
  readonly #now: () => Date;
  readonly #sweeper: NodeJS.Timeout | undefined;

  constructor(db: Database, options: SqliteSessionStoreOptions = {}) {
    super();
    this.#db = db;
    this.#ttlMs = options.ttlMs ?? 24 * 60 * 60_000;
    this.#now = options.now ?? (() => new Date());
    ensureSchema(db, 'auth/sessions/1', SCHEMA);
    const every = options.sweepIntervalMs ?? 10 * 60_000;
    if (every > 0) {
      this.#sweeper = setInterval(() => {
        try {
          this.sweep();
        } catch (error) {
          // Reads ignore expired rows anyway, so a failed sweep is only reported, and never by an
          // 'error' event nobody listens to, which would crash the process.
          if (this.listenerCount('error') > 0) this.emit('error', error);
        }
      }, every);
      // The sweep is housekeeping: it must not keep the process alive.
      this.#sweeper.unref();
    }
  }

  /** Passes the unexpired session of `sid`, or `null`, to `callback`. */
  override get(sid: string, callback: (error: unknown, session?: SessionData | null) => void): void {
    let found: SessionData | null;
    try {
      const data = this.#db
        .prepare<[string, number], string>('SELECT data FROM sessions WHERE sid = ? AND expires_at > ?')
        .pluck()
        .get(sid, this.#now().getTime());
      found = data === undefined ? null : (JSON.parse(data) as SessionData);
    } catch (error) {
      callback(error);
      return;
    }
    callback(null, found);
  }

  /** Stores (or replaces) the session of `sid`. */
  override set(sid: string, data: SessionData, callback?: Callback): void {
    this.#run(callback, () => {
      this.#db
        .prepare(
          `INSERT INTO sessions (sid, data, expires_at) VALUES (?, ?, ?)
           ON CONFLICT (sid) DO UPDATE SET data = excluded.data, expires_at = excluded.expires_at`,
        )
        .run(sid, JSON.stringify(data), this.#expiryOf(data));
    });
  }

  /** Deletes the session of `sid`. */
  override destroy(sid: string, callback?: Callback): void {
    this.#run(callback, () => {
      this.#db.prepare('DELETE FROM sessions WHERE sid = ?').run(sid);
    });
  }

  /** Extends an unexpired session to its cookie's new expiry, without rewriting the rest of its data. */
  override touch(sid: string, data: SessionData, callback?: Callback): void {
    this.#run(callback, () => {
      this.#db
        .prepare(
          `UPDATE sessions SET expires_at = ?, data = json_set(data, '$.cookie', json(?))
           WHERE sid = ? AND expires_at > ?`,
        )
        .run(this.#expiryOf(data), JSON.stringify(data.cookie), sid, this.#now().getTime());
    });
  }

  /** Passes the number of unexpired sessions to `callback`. */
  override length(callback: (error: unknown, length?: number) => void): void {
    let count: number;
    try {
      count =
        this.#db
          .prepare<[number], number>('SELECT count(*) FROM sessions WHERE expires_at > ?')
          .pluck()
          .get(this.#now().getTime()) ?? 0;
    } catch (error) {
      callback(error);
      return;
    }
    callback(null, count);
  }

  /** Passes every unexpired session, by session id, to `callback`. */
  override all(callback: (error: unknown, sessions?: Record<string, SessionData> | null) => void): void {
    const sessions: Record<string, SessionData> = {};
    try {
      const rows = this.#db
        .prepare<[number], { sid: string; data: string }>(
          'SELECT sid, data FROM sessions WHERE expires_at > ?',
        )
        .all(this.#now().getTime());
      for (const row of rows) sessions[row.sid] = JSON.parse(row.data) as SessionData;
    } catch (error) {
      callback(error);
      return;
    }
    callback(null, sessions);
  }

  /** Deletes every session. */
  override clear(callback?: Callback): void {
    this.#run(callback, () => {
      this.#db.prepare('DELETE FROM sessions').run();
    });
  }

  /**
   * Deletes expired sessions now.
   *
   * @returns how many were deleted.
   */
  sweep(): number {
    return this.#db.prepare('DELETE FROM sessions WHERE expires_at <= ?').run(this.#now().getTime()).changes;
  }

  /** Stops the periodic sweep; the database stays open. */
  close(): void {
    clearInterval(this.#sweeper);
  }

  #expiryOf(data: SessionData): number {
    // Read through a wider type: the typings mark `expires` deprecated as an option, and after a JSON
    // round trip it is a string rather than a Date.
    const cookie = data.cookie as { expires?: Date | string | null; maxAge?: number | null } | undefined;
    const expires = cookie?.expires == null ? NaN : new Date(cookie.expires).getTime();
    if (Number.isFinite(expires)) return expires;
    const maxAge = cookie?.maxAge;
    return (
      this.#now().getTime() + (typeof maxAge === 'number' && Number.isFinite(maxAge) ? maxAge : this.#ttlMs)
    );
  }

  // Runs a write and reports to express-session's callback outside the try, so an exception thrown by
  // the callback itself is not reported to it a second time.
  #run(callback: Callback | undefined, write: () => void): void {
    try {
      write();
    } catch (error) {
      callback?.(error);
      return;
    }
    callback?.();
  }
}
