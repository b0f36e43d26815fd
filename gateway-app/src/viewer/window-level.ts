import type { ImageAttributes, LookupTable } from './dicom-image';
import { lookUp } from './lookup-table';
import type { DecodedFrame, GrayFrame } from './decode-frame';

/** A VOI window: the centre and width of the range of values spread over the display's grays. */
export interface WindowLevel {
  readonly center: number;
  readonly width: number;
}

/**
 * The window to show a frame with first: the image's first Window Center and Width if it has a usable
 * pair, otherwise the frame's full range of values.
 */
export function defaultWindow(
  image: Pick<ImageAttributes, 'windowCenter' | 'windowWidth'>,
  frame: DecodedFrame,
): WindowLevel {
  const { windowCenter, windowWidth } = image;
  if (windowCenter !== undefined && windowWidth !== undefined && windowWidth >= 1) {
    return { center: windowCenter, width: windowWidth };
  }
  if (frame.kind === 'rgb') return { center: 127.5, width: 256 };
  // The linear function maps [c − 0.5 − (w − 1)/2, c − 0.5 + (w − 1)/2] onto the output range.
  return { center: (frame.min + frame.max + 1) / 2, width: Math.max(1, frame.max - frame.min + 1) };
}

/**
 * The RGBA pixels of a frame seen through a window, with the linear VOI LUT function of PS3.3
 * C.11.2.1.2.1 onto 0–255, inverted when `invert` is set (MONOCHROME1, or at the user's request).
 * Colour frames are returned as they are, not copied.
 */
export function renderWindowLevel(
  frame: DecodedFrame,
  window: WindowLevel,
  invert: boolean,
): Uint8ClampedArray<ArrayBuffer> {
  if (frame.kind === 'rgb') return frame.rgba;
  const { values } = frame;
  const width = Math.max(1, window.width);
  const lower = window.center - 0.5 - (width - 1) / 2;
  const upper = window.center - 0.5 + (width - 1) / 2;
  return greyToRgba(values, invert, (x) => {
    if (x <= lower) return 0;
    if (x > upper) return 255;
    return ((x - (window.center - 0.5)) / (width - 1) + 0.5) * 255;
  });
}

/** Each value mapped to a grey level from 0 to 255 (then inverted if asked), as opaque RGBA. */
function greyToRgba(
  values: Float32Array,
  invert: boolean,
  level: (value: number) => number,
): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(values.length * 4);
  for (let i = 0; i < values.length; i++) {
    const y = level(values[i] ?? 0);
    const o = i * 4;
    out[o] = invert ? 255 - y : y;
    out[o + 1] = out[o] ?? 0;
    out[o + 2] = out[o] ?? 0;
    out[o + 3] = 255;
  }
  return out;
}

/**
 * The RGBA pixels of a grey frame through a VOI LUT (PS3.3 C.11.2.1.1): each modality value looked up,
 * and the table's output range (0 to 2^bits − 1) spread over 0–255, inverted when `invert` is set.
 */
export function renderVoiLut(
  frame: GrayFrame,
  lut: LookupTable,
  invert: boolean,
): Uint8ClampedArray<ArrayBuffer> {
  const top = 2 ** lut.bits - 1;
  return greyToRgba(frame.values, invert, (x) => (lookUp(lut, x) / top) * 255);
}
