import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { contentHashOf, createContentHasher } from './content-hash';
import { DataKey } from './data-key';
import { createEncryptStream } from './encrypt-stream';
import { EnvelopeError } from './errors';
import { chunkedSource, collect, patternBytes } from './testing';

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('content hash', () => {
  it('hashes a stream on its way through and passes it on unchanged', async () => {
    const data = patternBytes(100_000);
    const hasher = createContentHasher();
    const passed = await collect(chunkedSource(data, 7777, true).pipeThrough(hasher.stream));
    assert.deepEqual(passed, data);
    assert.equal(hasher.digest(), sha256Hex(data));
  });

  it('hashes the ciphertext as it streams to storage', async () => {
    const hasher = createContentHasher();
    const ciphertext = await collect(
      chunkedSource(patternBytes(5000), 1000)
        .pipeThrough(createEncryptStream(await DataKey.generate(), { segmentSize: 512 }))
        .pipeThrough(hasher.stream),
    );
    assert.equal(hasher.digest(), sha256Hex(ciphertext));
    assert.equal(await contentHashOf(ciphertext), sha256Hex(ciphertext));
  });

  it('hashes an empty stream', async () => {
    const hasher = createContentHasher();
    await collect(chunkedSource(new Uint8Array(0), 1).pipeThrough(hasher.stream));
    assert.equal(hasher.digest(), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(await contentHashOf(new Uint8Array(0)), hasher.digest());
  });

  it('has no digest before the stream has finished', () => {
    assert.throws(
      () => createContentHasher().digest(),
      (error: unknown) => error instanceof EnvelopeError && error.code === 'INVALID_STATE',
    );
  });

  it('matches the lower-case hex the chaincode validates', async () => {
    assert.match(await contentHashOf(patternBytes(10)), /^[0-9a-f]{64}$/);
  });
});
