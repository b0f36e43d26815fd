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

  it('orders by position along the slice normal when every slice has one, whatever the instance numbers', () => {
    const axial = [1, 0, 0, 0, 1, 0] as const;
    const at = (id: string, z: number, instanceNumber: number) => ({
      ...slice(id, instanceNumber),
      imagePositionPatient: [-100, -100, z] as const,
      imageOrientationPatient: axial,
    });
    const slices = [at('top', 30, 1), at('bottom', -30, 2), at('middle', 0, 3)];
    assert.deepEqual(
      sortSlices(slices).map((s) => s.id),
      ['bottom', 'middle', 'top'],
    );
    // A sagittal stack goes along x: rows along y and columns down make the normal point to −x.
    const sagittal = [0, 1, 0, 0, 0, -1] as const;
    const side = (id: string, x: number) => ({
      ...slice(id, 1),
      imagePositionPatient: [x, 0, 0] as const,
      imageOrientationPatient: sagittal,
    });
    assert.deepEqual(
      sortSlices([side('left', -5), side('right', 5)]).map((s) => s.id),
      ['right', 'left'],
    );
    // One slice without a position: instance numbers decide.
    const mixed = [at('a', 30, 1), { ...slice('b', 2) }, at('c', -30, 3)];
    assert.deepEqual(
      sortSlices(mixed).map((s) => s.id),
      ['a', 'b', 'c'],
    );
  });
});
