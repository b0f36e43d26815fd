import 'reflect-metadata';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describe, it } from 'node:test';
import { cachedKeyCount, certificatePublicKey, spkiPublicKey } from './public-keys';
import { createCa, issueIdentity } from './testing/certificates';

describe('public key cache', () => {
  it("gives a certificate's key, the same object on a second call", async () => {
    const ca = await createCa('keys');
    const identity = await issueIdentity(ca, 'someone');
    const key = certificatePublicKey(identity.pem);
    assert.equal(key.asymmetricKeyType, 'ec');
    assert.equal(certificatePublicKey(identity.pem), key);
    const other = await issueIdentity(ca, 'someone-else');
    assert.notEqual(certificatePublicKey(other.pem), key);
  });

  it('gives an SPKI key, and keeps keys of the two encodings apart', () => {
    const spki = generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
      .publicKey.export({ type: 'spki', format: 'der' })
      .toString('base64');
    const key = spkiPublicKey(spki);
    assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
    assert.equal(spkiPublicKey(spki), key);
    assert.throws(() => certificatePublicKey(spki));
  });

  it('throws for what is not a key, every time, and remembers nothing of it', () => {
    const before = cachedKeyCount();
    assert.throws(() => spkiPublicKey('bm90IGEga2V5'));
    assert.throws(() => spkiPublicKey('bm90IGEga2V5'));
    assert.equal(cachedKeyCount(), before);
  });

  it('stays bounded', () => {
    const spki = (): string =>
      generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        .publicKey.export({ type: 'spki', format: 'der' })
        .toString('base64');
    for (let n = 0; n < 1100; n += 1) spkiPublicKey(spki());
    assert.ok(cachedKeyCount() <= 1024, `${String(cachedKeyCount())} keys remembered`);
  });
});
