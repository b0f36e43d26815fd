import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { generateEncryptionKeyPair } from './key-wrap';
import { cleanLabel, openLabel, sealLabel } from './record-label';

describe('record labels', () => {
  it('open for each reader, bound to the record, and for nobody else', async () => {
    const alice = { userId: 'a'.repeat(64), encryption: await generateEncryptionKeyPair() };
    const bob = { userId: 'b'.repeat(64), encryption: await generateEncryptionKeyPair() };
    const eve = { userId: 'e'.repeat(64), encryption: await generateEncryptionKeyPair() };
    const label = { description: 'CT CHEST', modality: 'CT', date: '20261201', files: 120 };
    const sealed = await sealLabel(label, 'record-0000000001', [
      { userId: alice.userId, spki: alice.encryption.publicKeySpki },
      { userId: bob.userId, spki: bob.encryption.publicKeySpki },
    ]);
    assert.ok(!sealed.includes('CT CHEST'), 'sealed');
    assert.deepEqual(await openLabel(sealed, 'record-0000000001', alice), label);
    assert.deepEqual(await openLabel(sealed, 'record-0000000001', bob), label);
    assert.equal(await openLabel(sealed, 'record-0000000001', eve), undefined, 'not a reader');
    assert.equal(await openLabel(sealed, 'record-0000000002', alice), undefined, 'moved to another record');
    // Bob's wrapped key under Eve's id: the wrap is bound to the reader's id, so Eve cannot use it either.
    const moved = JSON.parse(sealed) as { keys: Record<string, string> };
    moved.keys[eve.userId] = moved.keys[bob.userId] ?? '';
    assert.equal(await openLabel(JSON.stringify(moved), 'record-0000000001', eve), undefined);
    assert.equal(await openLabel('{not json', 'record-0000000001', alice), undefined);
  });

  it('keep only known fields, cut to size', () => {
    assert.deepEqual(
      cleanLabel({
        description: ` ${'x'.repeat(100)} `,
        modality: '',
        date: '2026-12-01',
        files: 0,
        ...{ patient: 'no' },
      }),
      { description: 'x'.repeat(64) },
    );
  });
});
