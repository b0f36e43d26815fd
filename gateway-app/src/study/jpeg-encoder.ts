// A baseline (ISO/IEC 10918-1 process 1) JPEG encoder for 8-bit grayscale images, with the example
// tables of Annex K. jpeg-js only writes three-component YCbCr images, which a MONOCHROME2 DICOM object
// with one sample per pixel must not hold, and it needs Node's Buffer.

/** The Annex K.1 luminance quantisation table, in natural (row-major) order. */
const LUMINANCE_QUANTISATION = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22,
  29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103,
  121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];

/** The natural index of each coefficient in zig-zag order. */
const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7,
  14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46,
  53, 60, 61, 54, 47, 55, 62, 63,
];

/** Annex K.3 luminance DC table: code counts per length 1 to 16, then the symbols. */
const DC_BITS = [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0];
const DC_VALUES = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];

/** Annex K.3 luminance AC table. */
const AC_BITS = [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d];
const AC_VALUES = [
  0x01, 0x02, 0x03, 0x00, 0x04, 0x11, 0x05, 0x12, 0x21, 0x31, 0x41, 0x06, 0x13, 0x51, 0x61, 0x07, 0x22, 0x71,
  0x14, 0x32, 0x81, 0x91, 0xa1, 0x08, 0x23, 0x42, 0xb1, 0xc1, 0x15, 0x52, 0xd1, 0xf0, 0x24, 0x33, 0x62, 0x72,
  0x82, 0x09, 0x0a, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x34, 0x35, 0x36, 0x37,
  0x38, 0x39, 0x3a, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59,
  0x5a, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x73, 0x74, 0x75, 0x76, 0x77, 0x78, 0x79, 0x7a, 0x83,
  0x84, 0x85, 0x86, 0x87, 0x88, 0x89, 0x8a, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0xa2, 0xa3,
  0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xc2, 0xc3,
  0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xd2, 0xd3, 0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xe1, 0xe2,
  0xe3, 0xe4, 0xe5, 0xe6, 0xe7, 0xe8, 0xe9, 0xea, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7, 0xf8, 0xf9, 0xfa,
];

interface HuffmanCode {
  readonly code: number;
  readonly length: number;
}

/** The DCT basis: `BASIS[u * 8 + x] = C(u) / 2 · cos((2x + 1)uπ / 16)`. */
const BASIS = Array.from({ length: 64 }, (_, i) => {
  const u = Math.floor(i / 8);
  const x = i % 8;
  return ((u === 0 ? Math.SQRT1_2 : 1) / 2) * Math.cos(((2 * x + 1) * u * Math.PI) / 16);
});

const DC_CODES = huffmanCodes(DC_BITS, DC_VALUES);
const AC_CODES = huffmanCodes(AC_BITS, AC_VALUES);

/**
 * Encodes an 8-bit grayscale image as a baseline JPEG with one component.
 *
 * @param pixels - `width × height` samples, row by row.
 * @param quality - 1 to 100, scaling the Annex K table as the IJG library does.
 */
export function encodeGrayscaleJpeg(
  pixels: Uint8Array,
  width: number,
  height: number,
  quality = 90,
): Uint8Array<ArrayBuffer> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError('the image must be at least 1 × 1 pixels');
  }
  if (width > 0xffff || height > 0xffff || pixels.length !== width * height) {
    throw new RangeError('the pixels do not match the image size, or it is too large for JPEG');
  }
  const q = Math.min(100, Math.max(1, Math.round(quality)));
  const scale = q < 50 ? 5000 / q : 200 - 2 * q;
  const table = LUMINANCE_QUANTISATION.map((v) =>
    Math.min(255, Math.max(1, Math.floor((v * scale + 50) / 100))),
  );

  const out = new ByteWriter();
  out.marker(0xd8);
  out.segment(0xdb, [0, ...ZIGZAG.map((i) => table[i] ?? 1)]);
  out.segment(0xc0, [8, height >> 8, height & 255, width >> 8, width & 255, 1, 1, 0x11, 0]);
  out.segment(0xc4, [0x00, ...DC_BITS, ...DC_VALUES]);
  out.segment(0xc4, [0x10, ...AC_BITS, ...AC_VALUES]);
  out.segment(0xda, [1, 1, 0x00, 0, 63, 0]);

  const bits = new BitWriter(out);
  const block = new Float64Array(64);
  const rows = new Float64Array(64);
  let previousDc = 0;
  for (let by = 0; by < height; by += 8) {
    for (let bx = 0; bx < width; bx += 8) {
      for (let y = 0; y < 8; y++) {
        // Edge blocks repeat the last row and column, which keeps the padding from ringing.
        const row = Math.min(by + y, height - 1) * width;
        for (let x = 0; x < 8; x++) block[y * 8 + x] = (pixels[row + Math.min(bx + x, width - 1)] ?? 0) - 128;
      }
      forwardDct(block, rows);
      const coefficients = ZIGZAG.map((i) => Math.round((block[i] ?? 0) / (table[i] ?? 1)));
      previousDc = encodeBlock(bits, coefficients, previousDc);
    }
  }
  bits.flush();
  out.marker(0xd9);
  return out.bytes();
}

/** Two-dimensional DCT-II of an 8 × 8 block in place, as rows then columns. */
function forwardDct(block: Float64Array, scratch: Float64Array): void {
  for (let y = 0; y < 8; y++) {
    for (let u = 0; u < 8; u++) {
      let sum = 0;
      for (let x = 0; x < 8; x++) sum += (BASIS[u * 8 + x] ?? 0) * (block[y * 8 + x] ?? 0);
      scratch[y * 8 + u] = sum;
    }
  }
  for (let u = 0; u < 8; u++) {
    for (let v = 0; v < 8; v++) {
      let sum = 0;
      for (let y = 0; y < 8; y++) sum += (BASIS[v * 8 + y] ?? 0) * (scratch[y * 8 + u] ?? 0);
      block[v * 8 + u] = sum;
    }
  }
}

/** Writes one block's Huffman-coded coefficients (in zig-zag order) and returns its DC value. */
function encodeBlock(bits: BitWriter, coefficients: readonly number[], previousDc: number): number {
  const dc = coefficients[0] ?? 0;
  const diff = dc - previousDc;
  const dcSize = magnitudeSize(diff);
  bits.code(DC_CODES.get(dcSize));
  bits.write(magnitudeBits(diff, dcSize), dcSize);

  let run = 0;
  for (let k = 1; k < 64; k++) {
    const value = coefficients[k] ?? 0;
    if (value === 0) {
      run++;
      continue;
    }
    for (; run > 15; run -= 16) bits.code(AC_CODES.get(0xf0));
    const size = magnitudeSize(value);
    bits.code(AC_CODES.get((run << 4) | size));
    bits.write(magnitudeBits(value, size), size);
    run = 0;
  }
  if (run > 0) bits.code(AC_CODES.get(0x00));
  return dc;
}

/** The category of a value: the number of bits of its magnitude. */
function magnitudeSize(value: number): number {
  let size = 0;
  for (let m = Math.abs(value); m > 0; m >>= 1) size++;
  return size;
}

/** The extra bits that follow a category: the value, or its ones' complement when negative. */
function magnitudeBits(value: number, size: number): number {
  return value >= 0 ? value : value + (1 << size) - 1;
}

/** The code of each symbol of a table given as counts per length (Annex C). */
function huffmanCodes(counts: readonly number[], symbols: readonly number[]): Map<number, HuffmanCode> {
  const codes = new Map<number, HuffmanCode>();
  let code = 0;
  let k = 0;
  for (let length = 1; length <= 16; length++) {
    for (let i = 0; i < (counts[length - 1] ?? 0); i++) {
      codes.set(symbols[k++] ?? 0, { code: code++, length });
    }
    code <<= 1;
  }
  return codes;
}

class ByteWriter {
  #buffer = new Uint8Array(4096);
  #length = 0;

  byte(value: number): void {
    if (this.#length === this.#buffer.length) {
      const grown = new Uint8Array(this.#buffer.length * 2);
      grown.set(this.#buffer);
      this.#buffer = grown;
    }
    this.#buffer[this.#length++] = value;
  }

  marker(code: number): void {
    this.byte(0xff);
    this.byte(code);
  }

  segment(code: number, payload: readonly number[]): void {
    this.marker(code);
    const length = payload.length + 2;
    this.byte(length >> 8);
    this.byte(length & 255);
    for (const b of payload) this.byte(b);
  }

  bytes(): Uint8Array<ArrayBuffer> {
    return this.#buffer.slice(0, this.#length);
  }
}

/** Packs entropy-coded bits most significant first, stuffing a zero byte after each 0xFF. */
class BitWriter {
  readonly #out: ByteWriter;
  #accumulator = 0;
  #count = 0;

  constructor(out: ByteWriter) {
    this.#out = out;
  }

  code(code: HuffmanCode | undefined): void {
    if (code === undefined) throw new Error('a JPEG symbol has no Huffman code');
    this.write(code.code, code.length);
  }

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.#accumulator = (this.#accumulator << 1) | ((value >> i) & 1);
      if (++this.#count === 8) this.#emit();
    }
  }

  /** Pads the last byte with one bits, as the standard asks. */
  flush(): void {
    while (this.#count !== 0) this.write(1, 1);
  }

  #emit(): void {
    this.#out.byte(this.#accumulator);
    if (this.#accumulator === 0xff) this.#out.byte(0);
    this.#accumulator = 0;
    this.#count = 0;
  }
}
