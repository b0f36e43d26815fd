import type { ImageAttributes, LookupTable } from './dicom-image';
import { lookUp } from './lookup-table';

/**
 * Colour samples (stored values, `samplesPerPixel` 3, or the two-lumas-per-chroma-pair layout of the 4:2:2
 * models) to RGBA with alpha 255: RGB as it is, YBR_FULL and YBR_FULL_422 with the full-range ITU-R BT.601
 * equations of PS3.3 C.7.6.3.1.2, YBR_PARTIAL_422 with the partial-range ones. Samples of more than 8
 * bits are scaled down to 8.
 */
export function colourToRgba(
  samples: ArrayLike<number>,
  image: Pick<
    ImageAttributes,
    'rows' | 'columns' | 'bitsStored' | 'photometricInterpretation' | 'planarConfiguration'
  >,
): Uint8ClampedArray<ArrayBuffer> {
  const count = image.rows * image.columns;
  const scale = 2 ** Math.max(0, image.bitsStored - 8);
  const planar = image.planarConfiguration === 1;
  const model = image.photometricInterpretation;
  const sample = (i: number, c: number): number => {
    if (model.endsWith('_422')) {
      // Each pair of pixels is Y1 Y2 Cb Cr.
      const pair = (i >> 1) * 4;
      return (samples[c === 0 ? pair + (i & 1) : pair + 1 + c] ?? 0) / scale;
    }
    return (samples[planar ? c * count + i : i * 3 + c] ?? 0) / scale;
  };
  const convert = model === 'RGB' ? undefined : model.startsWith('YBR_PARTIAL') ? partialYbr : fullYbr;
  const rgba = new Uint8ClampedArray(count * 4);
  for (let i = 0; i < count; i++) {
    const a = sample(i, 0);
    const b = sample(i, 1);
    const c = sample(i, 2);
    const [red, green, blue] = convert ? convert(a, b, c) : [a, b, c];
    rgba[i * 4] = red;
    rgba[i * 4 + 1] = green;
    rgba[i * 4 + 2] = blue;
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}

function fullYbr(y: number, cb: number, cr: number): readonly [number, number, number] {
  return [y + 1.402 * (cr - 128), y - 0.344136 * (cb - 128) - 0.714136 * (cr - 128), y + 1.772 * (cb - 128)];
}

function partialYbr(y: number, cb: number, cr: number): readonly [number, number, number] {
  const luma = 1.1644 * (y - 16);
  return [
    luma + 1.596 * (cr - 128),
    luma - 0.3918 * (cb - 128) - 0.813 * (cr - 128),
    luma + 2.0172 * (cb - 128),
  ];
}

/** Palette colour indices to RGBA through the red, green and blue tables, scaled to 8 bits. */
export function paletteToRgba(
  indices: ArrayLike<number>,
  palette: { readonly red: LookupTable; readonly green: LookupTable; readonly blue: LookupTable },
): Uint8ClampedArray<ArrayBuffer> {
  const rgba = new Uint8ClampedArray(indices.length * 4);
  const channels = [palette.red, palette.green, palette.blue];
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i] ?? 0;
    for (const [c, table] of channels.entries())
      rgba[i * 4 + c] = lookUp(table, index) / 2 ** (table.bits - 8);
    rgba[i * 4 + 3] = 255;
  }
  return rgba;
}
