import type { ImageAttributes } from './dicom-image';

/** Native samples to read: where they start in `bytes`, down to the bit for 1-bit images. */
export interface SampleSource {
  readonly bytes: Uint8Array;
  readonly byteOffset: number;
  /** From 0 to 7: where a 1-bit frame starts within its first byte (frames are packed). */
  readonly bitOffset: number;
  readonly littleEndian: boolean;
}

/**
 * The stored values of `count` samples (PS3.5 8.1.1 and 8.2): each taken from its `bitsAllocated`-bit
 * cell, shifted down from the high bit, masked to `bitsStored` bits, and sign-extended for two's
 * complement. 1-bit samples are packed from the least significant bit of each byte.
 */
export function storedValues(
  source: SampleSource,
  image: Pick<ImageAttributes, 'bitsAllocated' | 'bitsStored' | 'highBit' | 'pixelRepresentation'>,
  count: number,
): Float64Array<ArrayBuffer> {
  const { bytes, byteOffset, bitOffset, littleEndian } = source;
  const { bitsAllocated, bitsStored, highBit } = image;
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset, bytes.length - byteOffset);
  const shift = 2 ** (highBit + 1 - bitsStored);
  const range = 2 ** bitsStored;
  const signed = image.pixelRepresentation === 1;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    let raw: number;
    if (bitsAllocated === 1) {
      const bit = bitOffset + i;
      raw = ((bytes[byteOffset + (bit >>> 3)] ?? 0) >>> (bit & 7)) & 1;
    } else if (bitsAllocated === 8) raw = view.getUint8(i);
    else if (bitsAllocated === 16) raw = view.getUint16(i * 2, littleEndian);
    else raw = view.getUint32(i * 4, littleEndian);
    let stored = Math.floor(raw / shift) % range;
    if (signed && stored >= range / 2) stored -= range;
    out[i] = stored;
  }
  return out;
}
