import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode } from 'jpeg-js';
import { encodeGrayscaleJpeg } from '../study/jpeg-encoder';
import { syntheticPixels, syntheticStudy } from '../study/synthetic';
import { type DecodedFrame, type GrayFrame, decodeFrame } from './decode-frame';
import { encapsulatedFrame } from './encapsulated';
import { ViewerError, type ViewerErrorCode } from './errors';
import { parseDicom } from './parse-dicom';
import type { FrameCodec } from './frame-codec';
import { monochrome16, nodeCodec, writeDicom } from './testing';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const IMPLICIT_LE = '1.2.840.10008.1.2';
const EXPLICIT_BE = '1.2.840.10008.1.2.2';
const JPEG_BASELINE = '1.2.840.10008.1.2.4.50';

async function rejectsWith(promise: Promise<unknown>, code: ViewerErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof ViewerError, `expected a ViewerError, got ${String(error)}`);
    assert.equal(error.code, code, error.message);
    return true;
  });
}

function gray(frame: DecodedFrame): GrayFrame {
  assert.equal(frame.kind, 'gray');
  return frame;
}

function words(values: readonly number[], littleEndian = true): ArrayBuffer {
  const view = new DataView(new ArrayBuffer(values.length * 2));
  for (const [i, v] of values.entries()) view.setUint16(i * 2, v & 0xffff, littleEndian);
  return view.buffer;
}

describe('decodeFrame', () => {
  it('masks the bits above the high bit of unsigned samples', async () => {
    const stored = [0, 1, 2047, 2048, 4095, 100];
    const junk = stored.map((v) => v | 0xf000);
    for (const syntax of [EXPLICIT_LE, IMPLICIT_LE]) {
      const bytes = writeDicom(monochrome16(2, 3, words(junk), { BitsStored: 12, HighBit: 11 }), syntax);
      const frame = gray(await decodeFrame(parseDicom(bytes)));
      assert.deepEqual(Array.from(frame.values), stored);
      assert.deepEqual([frame.min, frame.max], [0, 4095]);
    }
  });

  it('sign-extends signed samples narrower than 16 bits, then rescales', async () => {
    const stored = [-2048, -1, 0, 1, 2047, -1000];
    const raw = stored.map((v) => v & 0x0fff);
    const bytes = writeDicom(
      monochrome16(2, 3, words(raw), {
        BitsStored: 12,
        HighBit: 11,
        PixelRepresentation: 1,
        RescaleSlope: 2,
        RescaleIntercept: -10,
      }),
      EXPLICIT_LE,
    );
    const frame = gray(await decodeFrame(parseDicom(bytes)));
    assert.deepEqual(
      Array.from(frame.values),
      stored.map((v) => v * 2 - 10),
    );
  });

  it('reads samples whose high bit is not bits stored − 1', async () => {
    const stored = [0, 5, 1023, 512, 7, 9];
    const bytes = writeDicom(
      monochrome16(2, 3, words(stored.map((v) => (v << 4) | 0x000f)), { BitsStored: 10, HighBit: 13 }),
      EXPLICIT_LE,
    );
    assert.deepEqual(Array.from(gray(await decodeFrame(parseDicom(bytes))).values), stored);
  });

  it('reads 16-bit samples in explicit VR big endian', async () => {
    const values = [-1024, 0, 3000, -1, 1, 32767];
    const bytes = writeDicom(
      monochrome16(2, 3, words(values, false), { PixelRepresentation: 1 }),
      EXPLICIT_BE,
    );
    const image = parseDicom(bytes);
    assert.equal(image.littleEndian, false);
    assert.equal(image.rows, 2);
    assert.deepEqual(Array.from(gray(await decodeFrame(image)).values), values);
  });

  it('reads signed 8-bit samples', async () => {
    const bytes = writeDicom(
      {
        ...monochrome16(2, 3, Int8Array.of(-128, -1, 0, 1, 127, 5).buffer, {
          BitsAllocated: 8,
          BitsStored: 8,
          HighBit: 7,
        }),
        PixelRepresentation: 1,
        _vrMap: { PixelData: 'OB' },
      },
      EXPLICIT_LE,
    );
    assert.deepEqual(Array.from(gray(await decodeFrame(parseDicom(bytes))).values), [-128, -1, 0, 1, 127, 5]);
  });

  it('decodes each frame of a multi-frame image, and refuses frames it does not have', async () => {
    const bytes = writeDicom(
      monochrome16(2, 3, words([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), { NumberOfFrames: 2 }),
      EXPLICIT_LE,
    );
    const image = parseDicom(bytes);
    assert.equal(image.numberOfFrames, 2);
    assert.deepEqual(Array.from(gray(await decodeFrame(image, 1)).values), [7, 8, 9, 10, 11, 12]);
    for (const bad of [-1, 2, 0.5]) await rejectsWith(decodeFrame(image, bad), 'INVALID_ARGUMENT');
  });

  for (const planar of [0, 1]) {
    it(`decodes native RGB with planar configuration ${planar}`, async () => {
      const rgb = [
        [255, 0, 0],
        [0, 255, 0],
        [0, 0, 255],
        [10, 20, 30],
      ];
      const data = planar === 0 ? rgb.flat() : [0, 1, 2].flatMap((c) => rgb.map((p) => p[c] ?? 0));
      const bytes = writeDicom(
        {
          Rows: 2,
          Columns: 2,
          BitsAllocated: 8,
          BitsStored: 8,
          HighBit: 7,
          PixelRepresentation: 0,
          SamplesPerPixel: 3,
          PlanarConfiguration: planar,
          PhotometricInterpretation: 'RGB',
          PixelData: [Uint8Array.from(data).buffer],
          _vrMap: { PixelData: 'OB' },
        },
        EXPLICIT_LE,
      );
      const frame = await decodeFrame(parseDicom(bytes));
      assert.equal(frame.kind, 'rgb');
      assert.deepEqual(
        Array.from(frame.rgba),
        rgb.flatMap((p) => [...p, 255]),
      );
    });
  }

  describe('JPEG baseline', () => {
    const grayJpeg = (level: number): Uint8Array =>
      encodeGrayscaleJpeg(new Uint8Array(16 * 8).fill(level), 16, 8, 95);
    const jpegImage = (frames: Uint8Array[], extra: Record<string, unknown> = {}): Uint8Array =>
      writeDicom(
        {
          Rows: 8,
          Columns: 16,
          BitsAllocated: 8,
          BitsStored: 8,
          HighBit: 7,
          PixelRepresentation: 0,
          SamplesPerPixel: 1,
          PhotometricInterpretation: 'MONOCHROME2',
          NumberOfFrames: frames.length,
          PixelData: frames.map((f) => f.slice().buffer),
          _vrMap: { PixelData: 'OB' },
          ...extra,
        },
        JPEG_BASELINE,
      );

    it('decodes each frame of a multi-frame JPEG image and applies the rescale', async () => {
      const image = parseDicom(
        jpegImage([grayJpeg(10), grayJpeg(200)], { RescaleSlope: 2, RescaleIntercept: 5 }),
      );
      assert.equal(image.pixelData.encapsulated, true);
      for (const [i, level] of [10, 200].entries()) {
        const frame = gray(await decodeFrame(image, i, await nodeCodec()));
        assert.ok(
          frame.values.every((v) => Math.abs(v - (level * 2 + 5)) <= 4),
          `frame ${i}`,
        );
      }
    });

    it('decodes a colour JPEG to RGB', async () => {
      const rgba = new Uint8Array(16 * 8 * 4);
      for (let i = 0; i < 16 * 8; i++) rgba.set([200, 40, 40, 255], i * 4);
      const jpeg = new Uint8Array(encode({ data: rgba, width: 16, height: 8 }, 95).data);
      const bytes = jpegImage([jpeg], {
        SamplesPerPixel: 3,
        PhotometricInterpretation: 'YBR_FULL_422',
        PlanarConfiguration: 0,
      });
      const frame = await decodeFrame(parseDicom(bytes), 0, await nodeCodec());
      assert.equal(frame.kind, 'rgb');
      assert.ok(Math.abs((frame.rgba[0] ?? 0) - 200) <= 6 && Math.abs((frame.rgba[1] ?? 0) - 40) <= 6);
    });

    it('needs a codec, and reports one that fails or returns too few samples as BAD_PIXEL_DATA', async () => {
      const image = parseDicom(jpegImage([grayJpeg(10)]));
      await rejectsWith(decodeFrame(image), 'INVALID_ARGUMENT');
      const failing: FrameCodec = () => Promise.reject(new Error('corrupt JPEG'));
      await rejectsWith(decodeFrame(image, 0, failing), 'BAD_PIXEL_DATA');
      const short: FrameCodec = () => ({
        bytes: new Uint8Array(64),
        photometricInterpretation: 'MONOCHROME2',
        planarConfiguration: 0,
      });
      await rejectsWith(decodeFrame(image, 0, short), 'BAD_PIXEL_DATA');
      const truncated = jpegImage([grayJpeg(10).subarray(0, 40)]);
      await rejectsWith(decodeFrame(parseDicom(truncated), 0, await nodeCodec()), 'BAD_PIXEL_DATA');
    });

    it('hands the decoder the frame bytes from SOI to EOI', async () => {
      const [file] = syntheticStudy({
        slices: 1,
        rows: 16,
        columns: 16,
        bits: 8,
        transferSyntax: 'jpeg-baseline',
      });
      const image = parseDicom(file?.bytes ?? new Uint8Array());
      let seen: Uint8Array | undefined;
      const codec = await nodeCodec();
      const spy: FrameCodec = (frame) => {
        seen = frame.bytes;
        return codec(frame);
      };
      const frame = gray(await decodeFrame(image, 0, spy));
      assert.deepEqual([...(seen?.subarray(0, 2) ?? [])], [0xff, 0xd8]);
      const expected = syntheticPixels(
        { slices: 1, rows: 16, columns: 16, bits: 8, transferSyntax: 'jpeg-baseline' },
        0,
      );
      assert.ok(frame.values.every((v, i) => Math.abs(v - (expected[i] ?? 0)) <= 24));
    });
  });
});

describe('encapsulatedFrame', () => {
  // Fragment data: frame A in two fragments, frame B in one; each fragment's item header takes 8 bytes.
  const bytes = Uint8Array.of(0xff, 0xd8, 1, 2, 3, 4, 0xff, 0xd9, 0xff, 0xd8, 9, 0xff, 0xd9, 0);
  const fragments = [
    { offset: 0, position: 0, length: 4 },
    { offset: 12, position: 4, length: 4 },
    { offset: 24, position: 8, length: 6 },
  ];

  it('finds frames from the basic offset table', () => {
    const pixelData = { encapsulated: true as const, fragments, basicOffsetTable: [0, 24] };
    assert.deepEqual([...encapsulatedFrame(bytes, pixelData, 0, 2)], [0xff, 0xd8, 1, 2, 3, 4, 0xff, 0xd9]);
    assert.deepEqual([...encapsulatedFrame(bytes, pixelData, 1, 2)], [0xff, 0xd8, 9, 0xff, 0xd9, 0]);
  });

  it('finds frames by their start-of-image marker without a basic offset table', () => {
    const pixelData = { encapsulated: true as const, fragments, basicOffsetTable: [] };
    assert.deepEqual([...encapsulatedFrame(bytes, pixelData, 1, 2)], [0xff, 0xd8, 9, 0xff, 0xd9, 0]);
    assert.throws(
      () => encapsulatedFrame(bytes, pixelData, 0, 5),
      (e: unknown) => e instanceof ViewerError && e.code === 'BAD_PIXEL_DATA',
    );
  });

  it('joins all fragments of a single-frame image', () => {
    const pixelData = { encapsulated: true as const, fragments, basicOffsetTable: [] };
    assert.equal(encapsulatedFrame(bytes, pixelData, 0, 1).length, 14);
  });
});
