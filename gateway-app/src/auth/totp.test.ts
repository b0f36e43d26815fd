import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { AuthError } from './errors';
import { TotpService } from './totp';

// RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", in base32.
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';
// The RFC's 8-digit SHA-1 codes; a 6-digit code is the same truncated value modulo 10^6.
const RFC_VECTORS: [number, string][] = [
  [59, '94287082'],
  [1111111109, '07081804'],
  [1111111111, '14050471'],
  [1234567890, '89005924'],
  [2000000000, '69279037'],
  [20000000000, '65353130'],
];

function base32Decode(text: string): Buffer {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  const out: number[] = [];
  for (const c of text.replace(/=+$/, '')) {
    value = (value << 5) | alphabet.indexOf(c);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

// RFC 4226 section 5.3, independently of otplib.
function referenceCode(secret: string, epochSeconds: number): string {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(epochSeconds / 30)));
  const mac = createHmac('sha1', base32Decode(secret)).update(counter).digest();
  const offset = (mac.at(-1) ?? 0) & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 1_000_000).padStart(6, '0');
}

const NOW = new Date('2025-06-01T12:00:15Z');
const at = (steps: number) => new Date(NOW.getTime() + steps * 30_000);

describe('TotpService', () => {
  const totp = new TotpService({ now: () => NOW });
  const secret = totp.newSecret();

  it('makes 20-byte base32 secrets', () => {
    assert.match(secret, /^[A-Z2-7]{32}$/);
    assert.equal(base32Decode(secret).length, 20);
    assert.notEqual(totp.newSecret(), secret);
  });

  it('gives the RFC 6238 codes, as an independent HMAC-SHA1 implementation does', () => {
    for (const [seconds, eight] of RFC_VECTORS) {
      const code = totp.currentCode(RFC_SECRET, new Date(seconds * 1000));
      assert.equal(code, eight.slice(2), `T = ${seconds}`);
      assert.equal(referenceCode(RFC_SECRET, seconds), code);
    }
    for (let i = 0; i < 20; i++) {
      const s = totp.newSecret();
      const seconds = 1_700_000_000 + i * 7919;
      assert.equal(totp.currentCode(s, new Date(seconds * 1000)), referenceCode(s, seconds));
    }
  });

  it('accepts the current code and returns its step', () => {
    const result = totp.verify(secret, totp.currentCode(secret), null);
    assert.deepEqual(result, { ok: true, step: totp.stepAt(NOW) });
    assert.equal(totp.stepAt(NOW), Math.floor(NOW.getTime() / 30_000));
  });

  it('accepts the codes of one step before and after, and no further', () => {
    const step = totp.stepAt(NOW);
    assert.deepEqual(totp.verify(secret, totp.currentCode(secret, at(-1)), null, NOW), {
      ok: true,
      step: step - 1,
    });
    assert.deepEqual(totp.verify(secret, totp.currentCode(secret, at(1)), null, NOW), {
      ok: true,
      step: step + 1,
    });
    for (const offset of [-2, 2]) {
      const code = totp.currentCode(secret, at(offset));
      const inWindow = [-1, 0, 1].map((o) => totp.currentCode(secret, at(o)));
      if (inWindow.includes(code)) continue; // a one-in-a-million coincidence of codes
      assert.deepEqual(totp.verify(secret, code, null, NOW), { ok: false, reason: 'WRONG' });
    }
  });

  it('refuses a code of none of the window', () => {
    const inWindow = new Set([-1, 0, 1].map((o) => totp.currentCode(secret, at(o))));
    let wrong = 0;
    while (inWindow.has(String(wrong).padStart(6, '0'))) wrong++;
    assert.deepEqual(totp.verify(secret, String(wrong).padStart(6, '0'), null), {
      ok: false,
      reason: 'WRONG',
    });
  });

  it('calls anything but six digits malformed, ignoring spaces', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12345a', '١٢٣٤٥٦']) {
      assert.deepEqual(totp.verify(secret, code, null), { ok: false, reason: 'MALFORMED' }, code);
    }
    const code = totp.currentCode(secret);
    assert.equal(totp.verify(secret, ` ${code.slice(0, 3)} ${code.slice(3)} `, null).ok, true);
  });

  it('refuses the same code again once its step is accepted', () => {
    const code = totp.currentCode(secret);
    const first = totp.verify(secret, code, null);
    assert.ok(first.ok);
    assert.deepEqual(totp.verify(secret, code, first.step), { ok: false, reason: 'REPLAYED' });
    // Still refused later in the window.
    assert.deepEqual(totp.verify(secret, code, first.step, at(1)), { ok: false, reason: 'REPLAYED' });
  });

  it('refuses an older step after a newer one', () => {
    const newer = totp.verify(secret, totp.currentCode(secret, at(1)), null);
    assert.ok(newer.ok);
    assert.deepEqual(totp.verify(secret, totp.currentCode(secret), newer.step), {
      ok: false,
      reason: 'REPLAYED',
    });
    assert.deepEqual(totp.verify(secret, totp.currentCode(secret, at(-1)), newer.step), {
      ok: false,
      reason: 'REPLAYED',
    });
  });

  it('accepts a newer step after an older one', () => {
    const older = totp.verify(secret, totp.currentCode(secret, at(-1)), null);
    assert.ok(older.ok);
    assert.deepEqual(totp.verify(secret, totp.currentCode(secret), older.step), {
      ok: true,
      step: totp.stepAt(NOW),
    });
  });

  it('calls a valid code replayed when the last accepted step is beyond the window', () => {
    const step = totp.stepAt(NOW);
    assert.deepEqual(totp.verify(secret, totp.currentCode(secret), step + 5), {
      ok: false,
      reason: 'REPLAYED',
    });
  });

  it('builds the provisioning URI and its QR codes', async () => {
    const enrolment = await totp.enrolment(secret, 'HospitalAMSP:dr jones');
    assert.equal(
      enrolment.uri,
      `otpauth://totp/MedShare:HospitalAMSP%3Adr%20jones?secret=${secret}&issuer=MedShare&algorithm=SHA1&digits=6&period=30`,
    );
    assert.equal(enrolment.secret, secret);
    assert.match(enrolment.qrSvg, /^<svg [^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"[\s\S]*<\/svg>\s*$/);
    assert.match(enrolment.qrDataUrl, /^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
  });

  it('refuses a secret that is not base32 of 16 bytes or more', async () => {
    const isInvalid = (e: unknown) => e instanceof AuthError && e.code === 'INVALID_ARGUMENT';
    assert.throws(() => totp.verify('JBSWY3DPEHPK3PXP', '123456', null), isInvalid);
    assert.throws(() => totp.currentCode(secret.toLowerCase()), isInvalid);
    await assert.rejects(totp.enrolment('not a secret', 'x'), isInvalid);
    await assert.rejects(totp.enrolment(secret, ''), isInvalid);
  });
});
