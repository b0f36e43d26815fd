import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DeviceError } from './errors';
import { NONCE_PATTERN, NonceBook } from './nonces';

function clock(start = 1_000_000) {
  let t = start;
  return {
    now: () => t,
    advance: (ms: number) => {
      t += ms;
    },
  };
}

describe('NonceBook', () => {
  it('issues 32 random bytes in base64url with their expiry', () => {
    const c = clock();
    const book = new NonceBook({ now: c.now });
    const a = book.issue('session', 30_000);
    const b = book.issue('session', 30_000);
    assert.match(a.nonce, NONCE_PATTERN);
    assert.equal(Buffer.from(a.nonce, 'base64url').length, 32);
    assert.notEqual(a.nonce, b.nonce);
    assert.equal(a.expiresAt.getTime(), c.now() + 30_000);
  });

  it('accepts a nonce once, for the session it was issued to', () => {
    const book = new NonceBook();
    const { nonce } = book.issue('alice', 30_000);
    assert.equal(book.consume('bob', nonce), false, 'foreign session');
    assert.equal(book.consume('alice', nonce), true);
    assert.equal(book.consume('alice', nonce), false, 'replay');
    assert.equal(book.consume('alice', 'A'.repeat(43)), false, 'never issued');
  });

  it('refuses an expired nonce and uses it up', () => {
    const c = clock();
    const book = new NonceBook({ now: c.now });
    const { nonce } = book.issue('alice', 1000);
    c.advance(1000);
    assert.equal(book.consume('alice', nonce), false);
    assert.equal(book.size, 0);
  });

  it('keeps at most maxPerSession outstanding nonces, dropping the oldest', () => {
    const book = new NonceBook({ maxPerSession: 3 });
    const issued = Array.from({ length: 5 }, () => book.issue('alice', 30_000).nonce);
    const other = book.issue('bob', 30_000).nonce;
    assert.equal(book.size, 4);
    assert.equal(book.consume('alice', issued[0] ?? ''), false);
    assert.equal(book.consume('alice', issued[1] ?? ''), false);
    for (const nonce of issued.slice(2)) assert.equal(book.consume('alice', nonce), true);
    assert.equal(book.consume('bob', other), true, 'other sessions are not affected');
  });

  it('sweeps expired nonces of every session', () => {
    const c = clock();
    const book = new NonceBook({ now: c.now, sweepIntervalMs: 10_000 });
    for (let i = 0; i < 20; i++) book.issue(`session-${i}`, 5_000);
    const kept = book.issue('long', 60_000).nonce;
    assert.equal(book.size, 21);
    c.advance(10_000);
    book.issue('trigger', 5_000);
    assert.equal(book.size, 2);
    assert.equal(book.consume('long', kept), true);
  });

  it('forgets a session', () => {
    const book = new NonceBook();
    const { nonce } = book.issue('alice', 30_000);
    book.forget('alice');
    assert.equal(book.consume('alice', nonce), false);
  });

  it('rejects bad arguments', () => {
    const book = new NonceBook({ maxTtlMs: 60_000 });
    for (const [session, ttl] of [
      ['', 1000],
      ['s', 0],
      ['s', 1.5],
      ['s', 60_001],
    ] as const) {
      assert.throws(
        () => book.issue(session, ttl),
        (e: unknown) => e instanceof DeviceError && e.code === 'INVALID_ARGUMENT',
      );
    }
    assert.throws(() => new NonceBook({ maxPerSession: 0 }), DeviceError);
  });
});
