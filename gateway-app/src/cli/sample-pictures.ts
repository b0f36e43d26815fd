import { crc32, deflateSync } from 'node:zlib';
import { encodeGrayscaleJpeg } from '../study/jpeg-encoder';
import { syntheticPixels, type SyntheticFile } from '../study/synthetic';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function pngChunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(data, crc32(head.subarray(4))), 0);
  return Buffer.concat([head, data, crc]);
}

/** An 8-bit grayscale PNG of `pixels` (`width × height`, row by row). */
export function encodeGrayscalePng(
  pixels: Uint8Array,
  width: number,
  height: number,
): Uint8Array<ArrayBuffer> {
  if (pixels.length !== width * height) throw new RangeError('the pixels do not match the image size');
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 0, 0, 0, 0], 8); // 8 bits, grayscale, deflate, adaptive filters, no interlace
  // Each row starts with its filter type; 0 leaves it as it is.
  const raw = Buffer.alloc((width + 1) * height);
  for (let row = 0; row < height; row += 1) {
    raw.set(pixels.subarray(row * width, (row + 1) * width), row * (width + 1) + 1);
  }
  return Uint8Array.from(
    Buffer.concat([
      Buffer.from(PNG_SIGNATURE),
      pngChunk('IHDR', header),
      pngChunk('IDAT', deflateSync(raw)),
      pngChunk('IEND', new Uint8Array(0)),
    ]),
  );
}

/**
 * A synthetic PNG and a synthetic JPEG (a phantom slice, no patient data) to
 * try sending plain pictures with; `seed` varies the phantom.
 */
export function samplePictures(options: { width?: number; height?: number; seed?: number } = {}): {
  files: SyntheticFile[];
  width: number;
  height: number;
} {
  const width = options.width ?? 256;
  const height = options.height ?? 192;
  const pixels = syntheticPixels(
    {
      slices: 1,
      rows: height,
      columns: width,
      bits: 8,
      transferSyntax: 'explicit-le',
      seed: options.seed ?? 1,
    },
    0,
  );
  const gray = pixels instanceof Uint8Array ? pixels : Uint8Array.from(pixels);
  return {
    width,
    height,
    files: [
      { name: 'phantom.png', bytes: encodeGrayscalePng(gray, width, height) },
      { name: 'phantom.jpg', bytes: encodeGrayscaleJpeg(gray, width, height, 92) },
    ],
  };
}
