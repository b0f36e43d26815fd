import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { concatBytes, constantTimeEqual, fromBase64, fromHex, toBase64, toHex } from './bytes';

describe('base64', () => {
  it('matches Node for every length up to 100', () => {
    for (let n = 0; n <= 100; n++) {
      const bytes = randomBytes(n);
      const expected = bytes.toString('base64');
      assert.equal(toBase64(bytes), expected);
      assert.deepEqual(fromBase64(expected), new Uint8Array(bytes));
    }
  });

  it('matches the chaincode pattern', () => {
    assert.match(toBase64(Uint8Array.of(0xfb, 0xff, 0xbf)), /^[A-Za-z0-9+/]+={0,2}$/);
    assert.equal(toBase64(Uint8Array.of(0xfb, 0xff, 0xbf)), '+/+/');
  });

  it('rejects anything but standard padded base64', () => {
    for (const text of ['QQ', 'QQ=', 'Q===', '-_-_', 'QU JD', 'QUJD\n', '=QUJ', 'QU=D']) {
      assert.equal(fromBase64(text), undefined, text);
    }
  });
});

describe('hex', () => {
  it('matches Node', () => {
    const bytes = randomBytes(64);
    assert.equal(toHex(bytes), bytes.toString('hex'));
    assert.deepEqual(fromHex(bytes.toString('hex').toUpperCase()), new Uint8Array(bytes));
  });

  it('rejects odd lengths and non-hex characters', () => {
    assert.equal(fromHex('abc'), undefined);
    assert.equal(fromHex('zz'), undefined);
  });
});

describe('constantTimeEqual', () => {
  it('tells equal from different byte strings', () => {
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 3)), true);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2, 4)), false);
    assert.equal(constantTimeEqual(Uint8Array.of(1, 2, 3), Uint8Array.of(1, 2)), false);
  });
});

describe('concatBytes', () => {
  it('joins in order', () => {
    assert.deepEqual(
      concatBytes([Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3)]),
      Uint8Array.of(1, 2, 3),
    );
  });
});
