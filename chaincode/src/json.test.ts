import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { marshal, unmarshal } from './json';

describe('deterministic JSON', () => {
  it('sorts keys at every depth, so equal values give equal bytes', () => {
    const a = marshal({ b: 1, a: { d: [{ z: 1, y: 2 }], c: 'x' } });
    const b = marshal({ a: { c: 'x', d: [{ y: 2, z: 1 }] }, b: 1 });
    assert.deepEqual(a, b);
    assert.equal(a.toString(), '{"a":{"c":"x","d":[{"y":2,"z":1}]},"b":1}');
  });

  it('drops undefined fields and round-trips', () => {
    const bytes = marshal({ keep: 'yes', drop: undefined });
    assert.deepEqual(unmarshal(bytes), { keep: 'yes' });
  });
});
