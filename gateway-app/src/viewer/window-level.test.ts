import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GrayFrame, RgbFrame } from './decode-frame';
import { defaultWindow, renderWindowLevel } from './window-level';

function grayFrame(values: number[]): GrayFrame {
  return {
    kind: 'gray',
    width: values.length,
    height: 1,
    values: Float32Array.from(values),
    min: Math.min(...values),
    max: Math.max(...values),
  };
}

const noTags = { windowCenter: undefined, windowWidth: undefined };
const grays = (rgba: Uint8ClampedArray): number[] => Array.from(rgba.filter((_, i) => i % 4 === 0));

describe('window/level', () => {
  it('follows the linear function of PS3.3 C.11.2.1.2.1', () => {
    // With c = 50 and w = 101 the ramp runs from c − 0.5 − (w − 1)/2 = −0.5 (exclusive) to 99.5.
    const frame = grayFrame([-1, -0.5, 0, 49.5, 50, 99.5, 100, 200]);
    const out = renderWindowLevel(frame, { center: 50, width: 101 }, false);
    assert.deepEqual(grays(out), [0, 0, 1, 128, 129, 255, 255, 255]);
    assert.ok(Array.from(out).every((v, i) => i % 4 !== 3 || v === 255));
  });

  it('thresholds at the centre when the width is 1', () => {
    const out = renderWindowLevel(grayFrame([9, 9.5, 10, 11]), { center: 10, width: 1 }, false);
    assert.deepEqual(grays(out), [0, 0, 255, 255]);
  });

  it('inverts for MONOCHROME1', () => {
    const frame = grayFrame([0, 25, 50, 75, 100]);
    const normal = grays(renderWindowLevel(frame, { center: 50, width: 100 }, false));
    const inverted = grays(renderWindowLevel(frame, { center: 50, width: 100 }, true));
    assert.deepEqual(
      inverted,
      normal.map((v) => 255 - v),
    );
    assert.equal(inverted[0], 255);
  });

  it('defaults to the window tags, or else maps the range of values onto 0–255', () => {
    const frame = grayFrame([-1000, 0, 3000]);
    assert.deepEqual(defaultWindow({ windowCenter: 40, windowWidth: 400 }, frame), {
      center: 40,
      width: 400,
    });
    assert.deepEqual(defaultWindow({ windowCenter: 40, windowWidth: 0 }, frame), {
      center: 1000.5,
      width: 4001,
    });
    const window = defaultWindow(noTags, frame);
    assert.deepEqual(grays(renderWindowLevel(frame, window, false)), [0, 64, 255]);
    // A uniform image has nothing to spread: it is shown black, like a blank one.
    const flat = grayFrame([7, 7]);
    assert.deepEqual(defaultWindow(noTags, flat), { center: 7.5, width: 1 });
    assert.deepEqual(grays(renderWindowLevel(flat, defaultWindow(noTags, flat), false)), [0, 0]);
  });

  it('passes colour frames through', () => {
    const frame: RgbFrame = { kind: 'rgb', width: 1, height: 1, rgba: Uint8ClampedArray.of(1, 2, 3, 255) };
    assert.equal(renderWindowLevel(frame, defaultWindow(noTags, frame), true), frame.rgba);
    assert.deepEqual(defaultWindow(noTags, frame), { center: 127.5, width: 256 });
  });
});
