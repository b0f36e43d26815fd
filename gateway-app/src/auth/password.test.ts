import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AuthError } from './errors';
import { dummyHash, hashPassword, validatePasswordPolicy, verifyPassword } from './password';

// A quarter of the default cost keeps the tests fast; one test uses the default.
const fast = { cost: 2 ** 14 };

describe('hashPassword and verifyPassword', () => {
  it('round-trips, in the documented encoding, with a fresh salt each time', async () => {
    const hash = await hashPassword('correct horse battery', fast);
    assert.match(hash, /^scrypt\$16384\$8\$1\$[A-Za-z0-9+/]{22}==\$[A-Za-z0-9+/]{43}=$/);
    assert.equal(await verifyPassword(hash, 'correct horse battery', fast), true);
    assert.notEqual(await hashPassword('correct horse battery', fast), hash);
  });

  it('uses N = 2^16, r = 8, p = 1 by default', async () => {
    const hash = await hashPassword('correct horse battery');
    assert.match(hash, /^scrypt\$65536\$8\$1\$/);
    assert.equal(await verifyPassword(hash, 'correct horse battery'), true);
  });

  it('refuses a wrong password', async () => {
    const hash = await hashPassword('correct horse battery', fast);
    assert.equal(await verifyPassword(hash, 'correct horse batterY', fast), false);
    assert.equal(await verifyPassword(hash, '', fast), false);
  });

  it('normalises to NFKC, so composed and decomposed forms match', async () => {
    const hash = await hashPassword('caf\u00e9 au lait \ufb01ne', fast);
    assert.equal(await verifyPassword(hash, 'cafe\u0301 au lait fine', fast), true);
  });

  it('answers false, not an exception, for a missing or malformed hash', async () => {
    const good = await hashPassword('correct horse battery', fast);
    const [, , , , salt, key] = good.split('$');
    const malformed = [
      null,
      undefined,
      '',
      'scrypt',
      good.replace('scrypt$', 'bcrypt$'),
      `${good}$extra`,
      `scrypt$16385$8$1$${salt}$${key}`,
      `scrypt$1073741824$8$1$${salt}$${key}`,
      `scrypt$16384$800$1$${salt}$${key}`,
      `scrypt$16384$8$1$${salt}$`,
      `scrypt$16384$8$1$not*base64$${key}`,
      `scrypt$0x4000$8$1$${salt}$${key}`,
      `scrypt$16384$8$1$${salt}$AAAA`,
    ];
    for (const encoded of malformed) {
      assert.equal(await verifyPassword(encoded, 'correct horse battery', fast), false, String(encoded));
    }
  });

  it('refuses a cost that is not a power of two in range', async () => {
    for (const cost of [1000, 2 ** 9, 2 ** 21, 3 * 2 ** 12]) {
      await assert.rejects(
        hashPassword('correct horse battery', { cost }),
        (e: unknown) => e instanceof AuthError && e.code === 'INVALID_ARGUMENT',
      );
    }
  });

  it('makes the dummy hash once per cost, from a password nobody knows', async () => {
    const a = dummyHash(fast);
    assert.equal(dummyHash(fast), a);
    assert.match(await a, /^scrypt\$16384\$8\$1\$/);
    assert.equal(await verifyPassword(await a, '', fast), false);
  });
});

describe('validatePasswordPolicy', () => {
  const codes = (password: string, contextWords?: string[]) =>
    validatePasswordPolicy(password, contextWords ? { contextWords } : {}).map((p) => p.code);

  it('accepts a long passphrase, with spaces and any script', () => {
    assert.deepEqual(codes('correct horse battery staple'), []);
    assert.deepEqual(codes('Ωmega 7 ñandú kiwi'), []);
    assert.deepEqual(codes('x'.repeat(255) + 'y'), []);
  });

  it('counts code points after NFKC normalisation', () => {
    assert.deepEqual(codes('🐘🦒🦓🐪🦘🦥🐿🦔🦇🐢🐍🦎'), []);
    assert.deepEqual(codes('🐘🦒🦓🐪🦘🦥🐿🦔🦇🐢🐍'), ['TOO_SHORT']);
    assert.deepEqual(codes('short'), ['TOO_SHORT']);
    assert.deepEqual(codes('xy'.repeat(128) + 'z'), ['TOO_LONG']);
  });

  it('refuses the most common passwords, whatever their case or width', () => {
    assert.deepEqual(codes('Password1234'), ['COMMON']);
    assert.deepEqual(codes('\uff50\uff41\uff53\uff53\uff57\uff4f\uff52\uff44\uff11\uff12\uff13\uff14'), [
      'COMMON',
    ]);
  });

  it('refuses repetitions and sequences', () => {
    assert.deepEqual(codes('aaaaaaaaaaaa'), ['REPETITIVE']);
    assert.deepEqual(codes('abcabcabcabc'), ['REPETITIVE']);
    assert.deepEqual(codes('abcdefghijklm'), ['SEQUENTIAL']);
    assert.deepEqual(codes('zyxwvutsrqpo'), ['SEQUENTIAL']);
  });

  it('refuses the service name and context words', () => {
    assert.deepEqual(codes('my MedShare passphrase'), ['CONTEXTUAL']);
    assert.deepEqual(codes('dr.jones likes tea', ['dr.jones']), ['CONTEXTUAL']);
    assert.deepEqual(codes('the bee flies by slowly', ['bee']), []);
  });

  it('gives a message with each problem', () => {
    for (const problem of validatePasswordPolicy('')) assert.ok(problem.message.length > 0);
  });
});
