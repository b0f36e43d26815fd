import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newRecordId } from './flows';

describe('newRecordId', () => {
  it('is what the chaincode accepts, never reads as a command-line option, and does not repeat', () => {
    const ids = Array.from({ length: 2000 }, () => newRecordId());
    for (const id of ids) assert.match(id, /^r[A-Za-z0-9_-]{23}$/);
    assert.equal(new Set(ids).size, ids.length);
  });
});
