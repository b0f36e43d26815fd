import { randomBytes } from 'node:crypto';
import { DeviceError } from './errors';

/** A nonce as {@link NonceBook} issues it: 32 random bytes in base64url without padding. */
export const NONCE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** A nonce handed to a session, to be signed into the next device report. */
export interface IssuedNonce {
  nonce: string;
  expiresAt: Date;
}

/** Options of {@link NonceBook}. */
export interface NonceBookOptions {
  /** Outstanding nonces a session may hold; issuing more drops its oldest (default 8). */
  maxPerSession?: number;
  /** Longest lifetime `issue` accepts, in milliseconds (default 10 min). */
  maxTtlMs?: number;
  /** How often expired nonces of all sessions are swept, in milliseconds (default 30 s). */
  sweepIntervalMs?: number;
  /** Clock in milliseconds since the epoch (default `Date.now`). */
  now?: () => number;
}

/**
 * Single-use nonces bound to a session, so that a device report answers one challenge of one session
 * and cannot be replayed. Held in memory only: they live for seconds, and a restart just makes
 * outstanding ones fail, after which the client asks for a new one.
 */
export class NonceBook {
  // Per session, nonce → expiry (ms). Maps keep insertion order, so the first entry is the oldest.
  readonly #sessions = new Map<string, Map<string, number>>();
  readonly #maxPerSession: number;
  readonly #maxTtlMs: number;
  readonly #sweepIntervalMs: number;
  readonly #now: () => number;
  #nextSweep: number;

  constructor(options: NonceBookOptions = {}) {
    this.#maxPerSession = options.maxPerSession ?? 8;
    this.#maxTtlMs = options.maxTtlMs ?? 10 * 60_000;
    this.#sweepIntervalMs = options.sweepIntervalMs ?? 30_000;
    this.#now = options.now ?? Date.now;
    if (!Number.isInteger(this.#maxPerSession) || this.#maxPerSession < 1) {
      throw new DeviceError('INVALID_ARGUMENT', 'maxPerSession must be a positive integer');
    }
    this.#nextSweep = this.#now() + this.#sweepIntervalMs;
  }

  /** Issues a fresh nonce to `sessionKey`, valid for `ttlMs` milliseconds. */
  issue(sessionKey: string, ttlMs: number): IssuedNonce {
    if (sessionKey === '') throw new DeviceError('INVALID_ARGUMENT', 'the session key is empty');
    if (!Number.isInteger(ttlMs) || ttlMs <= 0 || ttlMs > this.#maxTtlMs) {
      throw new DeviceError('INVALID_ARGUMENT', `ttlMs must be an integer between 1 and ${this.#maxTtlMs}`);
    }
    const now = this.#now();
    this.#sweep(now);
    let nonces = this.#sessions.get(sessionKey);
    if (!nonces) {
      nonces = new Map();
      this.#sessions.set(sessionKey, nonces);
    }
    while (nonces.size >= this.#maxPerSession) {
      const oldest = nonces.keys().next();
      if (oldest.done) break;
      nonces.delete(oldest.value);
    }
    const nonce = randomBytes(32).toString('base64url');
    const expiresAt = now + ttlMs;
    nonces.set(nonce, expiresAt);
    return { nonce, expiresAt: new Date(expiresAt) };
  }

  /**
   * Uses up `nonce` if it was issued to `sessionKey` and has not expired: true once, false for an unknown,
   * foreign, expired or already used nonce.
   */
  consume(sessionKey: string, nonce: string): boolean {
    const now = this.#now();
    this.#sweep(now);
    const nonces = this.#sessions.get(sessionKey);
    const expiresAt = nonces?.get(nonce);
    if (!nonces || expiresAt === undefined) return false;
    nonces.delete(nonce);
    if (nonces.size === 0) this.#sessions.delete(sessionKey);
    return now < expiresAt;
  }

  /** Drops every outstanding nonce of a session (at logout). */
  forget(sessionKey: string): void {
    this.#sessions.delete(sessionKey);
  }

  /** Outstanding nonces across all sessions, expired ones not yet swept included. */
  get size(): number {
    let n = 0;
    for (const nonces of this.#sessions.values()) n += nonces.size;
    return n;
  }

  #sweep(now: number): void {
    if (now < this.#nextSweep) return;
    this.#nextSweep = now + this.#sweepIntervalMs;
    for (const [session, nonces] of this.#sessions) {
      for (const [nonce, expiresAt] of nonces) {
        if (expiresAt <= now) nonces.delete(nonce);
      }
      if (nonces.size === 0) this.#sessions.delete(session);
    }
  }
}
