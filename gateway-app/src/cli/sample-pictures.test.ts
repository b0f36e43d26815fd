import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32, inflateSync } from 'node:zlib';
import { decode } from 'jpeg-js';
import { encodeGrayscalePng, samplePictures } from './sample-pictures';

interface Chunk {
  type: string;
  data: Buffer;
}

/** A PNG's chunks, each CRC checked. */
function chunksOf(png: Uint8Array): Chunk[] {
  const bytes = Buffer.from(png);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const chunks: Chunk[] = [];
  for (let at = 8; at < bytes.length;) {
    const length = bytes.readUInt32BE(at);
    const typeAndData = bytes.subarray(at + 4, at + 8 + length);
    assert.equal(bytes.readUInt32BE(at + 8 + length), crc32(typeAndData), 'chunk CRC');
    chunks.push({ type: typeAndData.subarray(0, 4).toString('latin1'), data: typeAndData.subarray(4) });
    at += 12 + length;
  }
  return chunks;
}

describe('sample pictures', () => {
  it('writes a grayscale PNG whose rows inflate back to the pixels', () => {
    const width = 5;
    const height = 3;
    const pixels = Uint8Array.from({ length: width * height }, (_, i) => i * 17);
    const chunks = chunksOf(encodeGrayscalePng(pixels, width, height));
    assert.deepEqual(
      chunks.map((c) => c.type),
      ['IHDR', 'IDAT', 'IEND'],
    );
    const header = chunks[0]?.data ?? assert.fail('no IHDR');
    assert.equal(header.readUInt32BE(0), width);
    assert.equal(header.readUInt32BE(4), height);
    assert.deepEqual([...header.subarray(8)], [8, 0, 0, 0, 0]);
    const raw = inflateSync(chunks[1]?.data ?? assert.fail('no IDAT'));
    for (let row = 0; row < height; row += 1) {
      assert.equal(raw[row * (width + 1)], 0, 'filter type');
      assert.deepEqual(
        [...raw.subarray(row * (width + 1) + 1, (row + 1) * (width + 1))],
        [...pixels.subarray(row * width, (row + 1) * width)],
      );
    }
  });

  it('refuses pixels that do not match the size', () => {
    assert.throws(() => encodeGrayscalePng(new Uint8Array(5), 2, 3), RangeError);
  });

  it('gives a PNG and a JPEG of the same phantom, different for another seed', () => {
    const { files, width, height } = samplePictures({ width: 64, height: 48 });
    assert.deepEqual(
      files.map((f) => f.name),
      ['phantom.png', 'phantom.jpg'],
    );
    const [png, jpeg] = files;
    const raw = inflateSync(chunksOf(png?.bytes ?? assert.fail('no PNG'))[1]?.data ?? assert.fail('no IDAT'));
    const decoded = decode(jpeg?.bytes ?? assert.fail('no JPEG'), { useTArray: true });
    assert.equal(decoded.width, width);
    assert.equal(decoded.height, height);
    // The JPEG is the PNG's image, up to compression: compare the middle row.
    const row = Math.floor(height / 2);
    let error = 0;
    for (let x = 0; x < width; x += 1) {
      error += Math.abs((raw[row * (width + 1) + 1 + x] ?? 0) - (decoded.data[(row * width + x) * 4] ?? 0));
    }
    assert.ok(error / width < 8, `mean error ${String(error / width)}`);
    assert.ok(new Set(raw).size > 16, 'not a flat image');
    const other = samplePictures({ width: 64, height: 48, seed: 2 }).files[0]?.bytes;
    assert.notDeepEqual(other, png?.bytes);
  });
});
