import type { DecodedFrame } from './decode-frame';
import type { DicomImage } from './dicom-image';

/** A point on an image, in pixel columns (x) and rows (y) from the top left corner. */
export interface ImagePoint {
  readonly x: number;
  readonly y: number;
}

/** What one pixel holds, as a viewer reads it out. */
export type PixelReading =
  | { readonly kind: 'gray'; readonly value: number; readonly unit: string }
  | { readonly kind: 'rgb'; readonly rgb: readonly [number, number, number] };

/**
 * The pixel under a point: the modality value of a grey frame (Hounsfield units for CT, whose rescale
 * gives them), or the red, green and blue of a colour one; `undefined` outside the image.
 */
export function readPixel(
  frame: DecodedFrame,
  image: Pick<DicomImage, 'modality'>,
  point: ImagePoint,
): PixelReading | undefined {
  const x = Math.floor(point.x);
  const y = Math.floor(point.y);
  if (x < 0 || y < 0 || x >= frame.width || y >= frame.height) return undefined;
  const i = y * frame.width + x;
  if (frame.kind === 'rgb') {
    return {
      kind: 'rgb',
      rgb: [frame.rgba[i * 4] ?? 0, frame.rgba[i * 4 + 1] ?? 0, frame.rgba[i * 4 + 2] ?? 0],
    };
  }
  return { kind: 'gray', value: frame.values[i] ?? 0, unit: image.modality === 'CT' ? 'HU' : '' };
}

/** A length on an image: in millimetres when the image says its pixel spacing, otherwise in pixels. */
export interface Length {
  readonly value: number;
  readonly unit: 'mm' | 'px';
}

/**
 * The distance between two points: Pixel Spacing (0028,0030) gives the row spacing (between rows, so
 * along y) and the column spacing (along x), in millimetres.
 */
export function measureLength(
  a: ImagePoint,
  b: ImagePoint,
  pixelSpacing: readonly [number, number] | undefined,
): Length {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  if (pixelSpacing === undefined || !(pixelSpacing[0] > 0 && pixelSpacing[1] > 0)) {
    return { value: Math.hypot(dx, dy), unit: 'px' };
  }
  const [rowSpacing, columnSpacing] = pixelSpacing;
  return { value: Math.hypot(dx * columnSpacing, dy * rowSpacing), unit: 'mm' };
}

/** A reading as people read it: `-998 HU`, `412`, `R 200 G 40 B 40`. */
export function formatReading(reading: PixelReading): string {
  if (reading.kind === 'rgb') return `R ${reading.rgb[0]} G ${reading.rgb[1]} B ${reading.rgb[2]}`;
  const value = Number.isInteger(reading.value) ? String(reading.value) : reading.value.toFixed(2);
  return reading.unit === '' ? value : `${value} ${reading.unit}`;
}
