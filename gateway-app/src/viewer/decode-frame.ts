import { colourToRgba, paletteToRgba } from './colour';
import type { DicomImage, ImageAttributes } from './dicom-image';
import { encapsulatedFrame } from './encapsulated';
import { ViewerError } from './errors';
import type { FrameCodec } from './frame-codec';
import { frameBits } from './parse-dicom';
import { type SampleSource, storedValues } from './pixel-samples';
import { pixelEncodingOf } from './transfer-syntax';

/** A grayscale frame in modality units: stored values after the rescale slope and intercept. */
export interface GrayFrame {
  readonly kind: 'gray';
  readonly width: number;
  readonly height: number;
  /** `width × height` values, row by row. */
  readonly values: Float32Array<ArrayBuffer>;
  readonly min: number;
  readonly max: number;
}

/** A colour frame, ready to draw. */
export interface RgbFrame {
  readonly kind: 'rgb';
  readonly width: number;
  readonly height: number;
  /** `width × height × 4` bytes, row by row, alpha 255. */
  readonly rgba: Uint8ClampedArray<ArrayBuffer>;
}

/** A decoded frame: values to window for grayscale, pixels to draw for colour and palette colour. */
export type DecodedFrame = GrayFrame | RgbFrame;

/**
 * Decodes frame `frameIndex` (from 0) of an image: native pixel data directly (1 to 32 bits, signed or
 * not, either byte order, planar or interleaved), compressed frames through `codec` into native samples
 * first; then grey values through the rescale, colour models to RGB, palette indices through the palette.
 *
 * @throws {@link ViewerError} `INVALID_ARGUMENT` for a frame that does not exist or a compressed image
 *   without a codec, `BAD_PIXEL_DATA` if the frame cannot be extracted or does not decode to the image size.
 */
export async function decodeFrame(
  image: DicomImage,
  frameIndex = 0,
  codec?: FrameCodec,
): Promise<DecodedFrame> {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= image.numberOfFrames) {
    throw new ViewerError('INVALID_ARGUMENT', `the image has no frame ${frameIndex}`, {
      details: { frameIndex, numberOfFrames: image.numberOfFrames },
    });
  }
  const { pixelData } = image;
  if (!pixelData.encapsulated) {
    const bit = frameIndex * frameBits(image);
    const byteOffset = pixelData.offset + Math.floor(bit / 8);
    if (pixelData.swappedPairs) {
      // Frames of big endian words start on a word (PS3.5 8.1.1 keeps frames of 1-bit samples apart).
      const bytes = swapPairs(
        image.bytes.subarray(byteOffset, byteOffset + Math.ceil(frameBits(image) / 8) + 1),
      );
      return toFrame(image, { bytes, byteOffset: 0, bitOffset: bit % 8, littleEndian: true });
    }
    return toFrame(image, {
      bytes: image.bytes,
      byteOffset,
      bitOffset: bit % 8,
      littleEndian: image.littleEndian,
    });
  }
  const encoding = pixelEncodingOf(image.transferSyntaxUid);
  if (encoding === undefined || encoding === 'native') {
    throw new ViewerError('BAD_PIXEL_DATA', 'native pixel data cannot be encapsulated');
  }
  if (codec === undefined) {
    throw new ViewerError('INVALID_ARGUMENT', 'a codec is needed to decode compressed pixel data');
  }
  const bytes = encapsulatedFrame(image.bytes, pixelData, frameIndex, image.numberOfFrames);
  let decoded: Awaited<ReturnType<FrameCodec>>;
  try {
    decoded = await codec({ encoding, bytes, image });
  } catch (cause) {
    throw new ViewerError('BAD_PIXEL_DATA', `frame ${frameIndex} does not decode as ${encoding}`, {
      cause,
      details: { frameIndex, encoding },
    });
  }
  const attributes: ImageAttributes = {
    ...image,
    photometricInterpretation: decoded.photometricInterpretation,
    planarConfiguration: decoded.planarConfiguration,
  };
  const needed = Math.ceil(frameBits(attributes) / 8);
  if (decoded.bytes.length < needed) {
    throw new ViewerError(
      'BAD_PIXEL_DATA',
      `frame ${frameIndex} decodes to ${decoded.bytes.length} of ${needed} bytes`,
      {
        details: { frameIndex, length: decoded.bytes.length, needed },
      },
    );
  }
  return toFrame(attributes, { bytes: decoded.bytes, byteOffset: 0, bitOffset: 0, littleEndian: true });
}

function toFrame(image: ImageAttributes, source: SampleSource): DecodedFrame {
  const { rows: height, columns: width } = image;
  const count = width * height;
  if (image.samplesPerPixel === 3) {
    const samples = storedValues(source, image, Math.ceil(frameBits(image) / image.bitsAllocated));
    return { kind: 'rgb', width, height, rgba: colourToRgba(samples, image) };
  }
  const stored = storedValues(source, image, count);
  if (image.palette) return { kind: 'rgb', width, height, rgba: paletteToRgba(stored, image.palette) };
  const values = new Float32Array(count);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < count; i++) {
    const v = (stored[i] ?? 0) * image.rescaleSlope + image.rescaleIntercept;
    values[i] = v;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { kind: 'gray', width, height, values, min, max };
}

/** A copy with each pair of bytes swapped, undoing the 16-bit words of big endian OW. */
function swapPairs(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length);
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    out[i] = bytes[i + 1] ?? 0;
    out[i + 1] = bytes[i] ?? 0;
  }
  return out;
}
