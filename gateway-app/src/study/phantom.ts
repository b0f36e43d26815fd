/** Hounsfield units of the phantom's materials. */
const AIR = -1000;
const FAT = -100;
const SOFT_TISSUE = 40;
const LESION = 90;
const CONTRAST = 220;
const CANCELLOUS_BONE = 300;
const CORTICAL_BONE = 1200;
const MARKER = 3000;

/** The lowest and highest values the phantom produces, in Hounsfield units. */
export const PHANTOM_RANGE = { min: -1024, max: MARKER } as const;

/** Options of {@link phantomSlice}. */
export interface PhantomOptions {
  readonly rows: number;
  readonly columns: number;
  /** The slice, from 0. */
  readonly slice: number;
  readonly slices: number;
  /** Seeds the noise, so one seed always gives the same image. */
  readonly seed: number;
}

/**
 * One axial slice of a CT-like phantom, in whole Hounsfield units: an elliptical body with a fat layer,
 * a vertebra, a contrast-filled sphere whose cross-section grows and shrinks through the stack, a small
 * lesion that moves across it, mild noise, and the slice number burnt into the top-left corner as eight
 * binary squares (most significant first) so that scrolling is visible even where anatomy repeats.
 */
export function phantomSlice(options: PhantomOptions): Int16Array {
  const { rows, columns, slice, slices, seed } = options;
  const out = new Int16Array(rows * columns);
  // z runs from −1 at the first slice to +1 at the last.
  const z = slices > 1 ? (2 * slice) / (slices - 1) - 1 : 0;
  const sphereRadius = 0.3 * Math.sqrt(Math.max(0, 1 - (z / 0.7) ** 2));
  const lesionX = 0.35 * z;
  let noise = (seed ^ Math.imul(slice + 1, 0x9e3779b1)) >>> 0 || 1;
  for (let y = 0; y < rows; y++) {
    const ny = (2 * y + 1) / rows - 1;
    for (let x = 0; x < columns; x++) {
      const nx = (2 * x + 1) / columns - 1;
      let value = AIR;
      const body = (nx / 0.9) ** 2 + (ny / 0.72) ** 2;
      if (body < 1) {
        value = body > 0.82 ? FAT : SOFT_TISSUE + Math.round(15 * ny);
        const vertebra = Math.hypot(nx, ny - 0.45);
        if (vertebra < 0.13) value = vertebra > 0.09 ? CORTICAL_BONE : CANCELLOUS_BONE;
        if (Math.hypot(nx + 0.3, ny + 0.1) < sphereRadius) value = CONTRAST;
        if (Math.hypot(nx - lesionX, ny - 0.05) < 0.08) value = LESION;
      }
      noise ^= noise << 13;
      noise ^= noise >>> 17;
      noise ^= noise << 5;
      value += ((noise >>> 0) % 17) - 8;
      out[y * columns + x] = value;
    }
  }
  burnSliceNumber(out, rows, columns, slice + 1);
  for (let i = 0; i < out.length; i++) {
    out[i] = Math.min(PHANTOM_RANGE.max, Math.max(PHANTOM_RANGE.min, out[i] ?? 0));
  }
  return out;
}

function burnSliceNumber(out: Int16Array, rows: number, columns: number, number: number): void {
  const size = Math.max(1, Math.floor(Math.min(rows, columns) / 40));
  for (let bit = 0; bit < 8; bit++) {
    const on = ((number >> (7 - bit)) & 1) === 1;
    const left = size * (1 + 2 * bit);
    for (let y = size; y < 2 * size && y < rows; y++) {
      for (let x = left; x < left + size && x < columns; x++) out[y * columns + x] = on ? MARKER : AIR;
    }
  }
}
