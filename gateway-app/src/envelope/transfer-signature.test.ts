import assert from 'node:assert/strict';
import { KeyObject, createHash, generateKeyPairSync, sign, verify, webcrypto } from 'node:crypto';
import { before, describe, it } from 'node:test';
import { EnvelopeError } from './errors';
import {
  type TransferFields,
  assertTransferSignature,
  signTransfer,
  transferMessage,
  verifyTransfer,
} from './transfer-signature';
import type { WebCryptoKeyPair } from './web-crypto';

const fields: TransferFields = {
  recordId: 'rec_0123456789abcdef',
  cid: 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi',
  contentHash: createHash('sha256').update('ciphertext').digest('hex'),
  recipientId: 'user-bob-0002',
};

/** What the chaincode does: node:crypto verify with the sender's key and an IEEE P1363 signature. */
function chaincodeVerifies(publicKey: webcrypto.CryptoKey, message: Uint8Array, signature: string): boolean {
  return verify(
    'sha256',
    message,
    { key: KeyObject.from(publicKey), dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'base64'),
  );
}

describe('transfer signature', () => {
  let sender: WebCryptoKeyPair;
  let spki: string;

  before(async () => {
    sender = await webcrypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, [
      'sign',
      'verify',
    ]);
    spki = Buffer.from(await webcrypto.subtle.exportKey('spki', sender.publicKey)).toString('base64');
  });

  it('signs the documented message', () => {
    assert.equal(
      new TextDecoder().decode(transferMessage(fields)),
      `medshare/transfer/v1\n${fields.recordId}\n${fields.cid}\n${fields.contentHash}\n${fields.recipientId}`,
    );
  });

  it('produces a 64-byte P1363 signature that node:crypto verifies as the chaincode does', async () => {
    const signature = await signTransfer(sender.privateKey, fields);
    assert.match(signature, /^[A-Za-z0-9+/]+={0,2}$/);
    assert.equal(Buffer.from(signature, 'base64').length, 64);
    assert.ok(chaincodeVerifies(sender.publicKey, transferMessage(fields), signature));
    assert.ok(await verifyTransfer(sender.publicKey, fields, signature));
    assert.ok(await verifyTransfer(spki, fields, signature));
    await assertTransferSignature(spki, fields, signature);
  });

  it('fails when any field is changed', async () => {
    const signature = await signTransfer(sender.privateKey, fields);
    const tampered: TransferFields[] = [
      { ...fields, recordId: 'rec_0123456789abcdeg' },
      { ...fields, cid: fields.cid.replace('bafy', 'bafz') },
      { ...fields, contentHash: createHash('sha256').update('other').digest('hex') },
      { ...fields, recipientId: 'user-eve-0003' },
    ];
    for (const other of tampered) {
      assert.equal(chaincodeVerifies(sender.publicKey, transferMessage(other), signature), false);
      assert.equal(await verifyTransfer(sender.publicKey, other, signature), false);
      await assert.rejects(
        assertTransferSignature(spki, other, signature),
        (error: unknown) => error instanceof EnvelopeError && error.code === 'BAD_SIGNATURE',
      );
    }
  });

  it('fails for another signer and for malformed signatures', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const otherSpki = other.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    const signature = await signTransfer(sender.privateKey, fields);
    assert.equal(await verifyTransfer(otherSpki, fields, signature), false);
    for (const malformed of ['', 'not base64', Buffer.alloc(64).toString('base64'), signature.slice(0, 40)]) {
      assert.equal(await verifyTransfer(spki, fields, malformed), false);
    }
  });

  it('verifies a signature made by node:crypto with a P1363 encoding', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const signature = sign('sha256', transferMessage(fields), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('base64');
    const publicSpki = publicKey.export({ format: 'der', type: 'spki' }).toString('base64');
    assert.ok(await verifyTransfer(publicSpki, fields, signature));
  });

  it('rejects line breaks in fields and a malformed content hash', () => {
    const invalid = (error: unknown) => error instanceof EnvelopeError && error.code === 'INVALID_ARGUMENT';
    assert.throws(() => transferMessage({ ...fields, recipientId: 'bob\nmallory' }), invalid);
    assert.throws(() => transferMessage({ ...fields, cid: 'a\rb' }), invalid);
    assert.throws(
      () => transferMessage({ ...fields, contentHash: fields.contentHash.toUpperCase() }),
      invalid,
    );
  });

  it('is BAD_PUBLIC_KEY for a key that is not P-256 SPKI', async () => {
    await assert.rejects(
      verifyTransfer('AAAA', fields, 'AAAA'),
      (error: unknown) => error instanceof EnvelopeError && error.code === 'BAD_PUBLIC_KEY',
    );
  });
});
