import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SliceKey, sortSlices } from './sort-slices';

const slice = (
  id: string,
  instanceNumber?: number,
  sliceLocation?: number,
  sopInstanceUid?: string,
): SliceKey & { id: string } => ({
  id,
  instanceNumber,
  sliceLocation,
  sopInstanceUid,
});

describe('sortSlices', () => {
  it('orders by instance number, then slice location, then SOP instance UID', () => {
    const slices = [
      slice('e'),
      slice('d', undefined, -5),
      slice('c', 2, 10, '1.2.3'),
      slice('b', 2, -10, '1.2.3'),
      slice('a', 1),
      slice('g', 3, 0, '1.2.10'),
      slice('f', 3, 0, '1.2.9'),
      slice('h', 3, 0, '1.2.9.1'),
      slice('i', undefined, undefined, '1.1'),
    ];
    assert.deepEqual(
      sortSlices(slices).map((s) => s.id),
      ['a', 'b', 'c', 'f', 'h', 'g', 'd', 'i', 'e'],
    );
    assert.equal(slices[0]?.id, 'e', 'the input is left as it was');
  });

  it('keeps the order of equal slices', () => {
    const slices = [slice('x', 1), slice('y', 1), slice('z', 1)];
    assert.deepEqual(
      sortSlices(slices).map((s) => s.id),
      ['x', 'y', 'z'],
    );
  });
});
