import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GrayFrame, RgbFrame } from './decode-frame';
import { formatReading, measureLength, readPixel } from './measure';

const gray: GrayFrame = {
  kind: 'gray',
  width: 3,
  height: 2,
  values: Float32Array.of(-1000, 0, 40, 1000, 2000, 3000.5),
  min: -1000,
  max: 3000.5,
};
const rgb: RgbFrame = { kind: 'rgb', width: 1, height: 1, rgba: Uint8ClampedArray.of(200, 40, 10, 255) };

describe('pixel readout and measurement', () => {
  it('reads the modality value under a point, in HU for CT, and nothing outside the image', () => {
    assert.deepEqual(readPixel(gray, { modality: 'CT' }, { x: 2.7, y: 0.1 }), {
      kind: 'gray',
      value: 40,
      unit: 'HU',
    });
    assert.deepEqual(readPixel(gray, { modality: 'MR' }, { x: 0, y: 1 }), {
      kind: 'gray',
      value: 1000,
      unit: '',
    });
    assert.equal(readPixel(gray, { modality: 'CT' }, { x: 3, y: 0 }), undefined);
    assert.equal(readPixel(gray, { modality: 'CT' }, { x: -0.5, y: 0 }), undefined);
    assert.equal(
      formatReading(readPixel(gray, { modality: 'CT' }, { x: 0, y: 0 }) ?? assert.fail()),
      '-1000 HU',
    );
    assert.equal(
      formatReading(readPixel(gray, { modality: 'MR' }, { x: 2, y: 1 }) ?? assert.fail()),
      '3000.50',
    );
    assert.equal(
      formatReading(readPixel(rgb, { modality: 'XC' }, { x: 0, y: 0 }) ?? assert.fail()),
      'R 200 G 40 B 10',
    );
  });

  it('measures in millimetres with the row and column spacing, in pixels without', () => {
    // Rows 0.5 mm apart, columns 2 mm apart: 3 columns across is 6 mm, 4 rows down 2 mm.
    assert.deepEqual(measureLength({ x: 0, y: 0 }, { x: 3, y: 0 }, [0.5, 2]), { value: 6, unit: 'mm' });
    assert.deepEqual(measureLength({ x: 0, y: 0 }, { x: 0, y: 4 }, [0.5, 2]), { value: 2, unit: 'mm' });
    assert.deepEqual(measureLength({ x: 1, y: 1 }, { x: 4, y: 5 }, undefined), { value: 5, unit: 'px' });
    assert.deepEqual(measureLength({ x: 1, y: 1 }, { x: 4, y: 5 }, [0, 0]), { value: 5, unit: 'px' });
  });
});
