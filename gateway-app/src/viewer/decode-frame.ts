import type { DicomImage } from './dicom-image';
import { encapsulatedFrame } from './encapsulated';
import { ViewerError } from './errors';
import { frameSize } from './parse-dicom';

/**
 * Decodes one baseline JPEG into RGBA. In the browser, `createImageBitmap` and a canvas; in tests and on
 * Node, jpeg-js. Grayscale JPEGs come back with equal R, G and B.
 */
export type JpegDecoder = (jpeg: Uint8Array<ArrayBuffer>) => Promise<{
  width: number;
  height: number;
  rgba: Uint8ClampedArray;
}>;

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

/** A decoded frame: values to window for grayscale, pixels to draw for colour. */
export type DecodedFrame = GrayFrame | RgbFrame;

/**
 * Decodes frame `frameIndex` (from 0) of an image: native pixel data directly, honouring bits stored,
 * high bit, sign and byte order; JPEG baseline through `jpegDecoder`.
 *
 * @throws {@link ViewerError} `INVALID_ARGUMENT` for a frame that does not exist or a JPEG image without
 *   a decoder, `BAD_PIXEL_DATA` if the frame cannot be extracted or does not decode to the image size.
 */
export async function decodeFrame(
  image: DicomImage,
  frameIndex = 0,
  jpegDecoder?: JpegDecoder,
): Promise<DecodedFrame> {
  if (!Number.isInteger(frameIndex) || frameIndex < 0 || frameIndex >= image.numberOfFrames) {
    throw new ViewerError('INVALID_ARGUMENT', `the image has no frame ${frameIndex}`, {
      details: { frameIndex, numberOfFrames: image.numberOfFrames },
    });
  }
  const { pixelData } = image;
  if (!pixelData.encapsulated) return decodeNative(image, pixelData.offset + frameIndex * frameSize(image));
  if (jpegDecoder === undefined) {
    throw new ViewerError('INVALID_ARGUMENT', 'a JPEG decoder is needed for this image');
  }
  const jpeg = encapsulatedFrame(image.bytes, pixelData, frameIndex, image.numberOfFrames);
  let decoded: Awaited<ReturnType<JpegDecoder>>;
  try {
    decoded = await jpegDecoder(jpeg);
  } catch (cause) {
    throw new ViewerError('BAD_PIXEL_DATA', `frame ${frameIndex} does not decode as JPEG`, {
      cause,
      details: { frameIndex },
    });
  }
  const { width, height, rgba } = decoded;
  if (width !== image.columns || height !== image.rows || rgba.length < width * height * 4) {
    throw new ViewerError('BAD_PIXEL_DATA', `frame ${frameIndex} decodes to ${width} × ${height} pixels`, {
      details: { frameIndex, width, height },
    });
  }
  if (image.samplesPerPixel === 3) return { kind: 'rgb', width, height, rgba: new Uint8ClampedArray(rgba) };
  const values = new Float32Array(width * height);
  for (let i = 0; i < values.length; i++) {
    values[i] = (rgba[i * 4] ?? 0) * image.rescaleSlope + image.rescaleIntercept;
  }
  return grayFrame(width, height, values);
}

function decodeNative(image: DicomImage, offset: number): DecodedFrame {
  const { rows: height, columns: width, bytes } = image;
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, frameSize(image));
  const count = width * height;
  if (image.samplesPerPixel === 3) return nativeColour(image, view, width, height);

  const { bitsAllocated, bitsStored, highBit, littleEndian, rescaleSlope, rescaleIntercept } = image;
  const shift = highBit + 1 - bitsStored;
  const mask = 2 ** bitsStored - 1;
  const signBit = 2 ** (bitsStored - 1);
  const signed = image.pixelRepresentation === 1;
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const raw = bitsAllocated === 8 ? view.getUint8(i) : view.getUint16(i * 2, littleEndian);
    let stored = (raw >>> shift) & mask;
    if (signed && stored >= signBit) stored -= 2 * signBit;
    values[i] = stored * rescaleSlope + rescaleIntercept;
  }
  return grayFrame(width, height, values);
}

function nativeColour(image: DicomImage, view: DataView, width: number, height: number): RgbFrame {
  const count = width * height;
  const planar = image.planarConfiguration === 1;
  const ybr = image.photometricInterpretation === 'YBR_FULL';
  const sample = (i: number, c: number): number => view.getUint8(planar ? c * count + i : i * 3 + c);
  const rgba = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    let r = sample(i, 0);
    let g = sample(i, 1);
    let b = sample(i, 2);
    if (ybr) {
      // PS3.3 C.7.6.3.1.2: YBR_FULL is full-range ITU-R BT.601 YCbCr.
      const y = r;
      const cb = g - 128;
      const cr = b - 128;
      r = y + 1.402 * cr;
      g = y - 0.344136 * cb - 0.714136 * cr;
      b = y + 1.772 * cb;
    }
    rgba[i * 4] = r;
    rgba[i * 4 + 1] = g;
    rgba[i * 4 + 2] = b;
    rgba[i * 4 + 3] = 255;
  }
  return { kind: 'rgb', width, height, rgba };
}

function grayFrame(width: number, height: number, values: Float32Array<ArrayBuffer>): GrayFrame {
  let min = Infinity;
  let max = -Infinity;
  for (const v of values) {
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return { kind: 'gray', width, height, values, min, max };
}
