import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decode } from 'jpeg-js';
import { encodeGrayscaleJpeg } from './jpeg-encoder';

function gradient(width: number, height: number): Uint8Array {
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out[y * width + x] = Math.round((255 * (x + y)) / (width + height - 2));
  }
  return out;
}

describe('grayscale JPEG encoder', () => {
  for (const [width, height] of [
    [1, 1],
    [8, 8],
    [13, 7],
    [64, 48],
    [257, 33],
  ] as const) {
    it(`encodes a ${width} × ${height} image that jpeg-js decodes to close values`, () => {
      const pixels = gradient(width, height);
      const jpeg = encodeGrayscaleJpeg(pixels, width, height, 90);
      assert.deepEqual([...jpeg.subarray(0, 2)], [0xff, 0xd8]);
      assert.deepEqual([...jpeg.subarray(-2)], [0xff, 0xd9]);
      const image = decode(jpeg, { useTArray: true, formatAsRGBA: true });
      assert.equal(image.width, width);
      assert.equal(image.height, height);
      let worst = 0;
      for (let i = 0; i < pixels.length; i++) {
        const r = image.data[i * 4] ?? 0;
        assert.equal(image.data[i * 4 + 1], r);
        worst = Math.max(worst, Math.abs(r - (pixels[i] ?? 0)));
      }
      assert.ok(worst <= 4, `largest error ${worst}`);
    });
  }

  it('writes one component in its frame header', () => {
    const jpeg = encodeGrayscaleJpeg(new Uint8Array(64).fill(200), 8, 8);
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    assert.ok(sof > 0);
    assert.equal(jpeg[sof + 9], 1);
  });

  it('survives high-contrast noise, whose codes include 0xFF bytes', () => {
    const width = 40;
    const height = 40;
    const pixels = new Uint8Array(width * height);
    let x = 7;
    for (let i = 0; i < pixels.length; i++) {
      x = (x * 1103515245 + 12345) >>> 0;
      pixels[i] = (x >>> 16) & 1 ? 255 : 0;
    }
    const jpeg = encodeGrayscaleJpeg(pixels, width, height, 100);
    const image = decode(jpeg, { useTArray: true });
    let total = 0;
    for (let i = 0; i < pixels.length; i++) total += Math.abs((image.data[i * 4] ?? 0) - (pixels[i] ?? 0));
    assert.ok(total / pixels.length < 8, `mean error ${total / pixels.length}`);
  });

  it('refuses pixels that do not match the size', () => {
    assert.throws(() => encodeGrayscaleJpeg(new Uint8Array(10), 3, 3), RangeError);
    assert.throws(() => encodeGrayscaleJpeg(new Uint8Array(0), 0, 0), RangeError);
  });
});
