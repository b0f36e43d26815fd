import type { DicomTags } from './dicom-image';

/** What {@link sortSlices} orders by. */
export type SliceKey = Pick<DicomTags, 'instanceNumber' | 'sliceLocation' | 'sopInstanceUid'>;

/**
 * The slices of a series in viewing order, as a new array: by Instance Number, then Slice Location, then
 * SOP Instance UID compared component by component as numbers. Slices without a value come after those
 * with one; equal slices keep their order.
 */
export function sortSlices<T extends SliceKey>(slices: readonly T[]): T[] {
  return [...slices].sort(
    (a, b) =>
      compareOptional(a.instanceNumber, b.instanceNumber) ||
      compareOptional(a.sliceLocation, b.sliceLocation) ||
      compareUids(a.sopInstanceUid, b.sopInstanceUid),
  );
}

function compareOptional(a: number | undefined, b: number | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  return a - b;
}

function compareUids(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return (a === undefined ? 1 : 0) - (b === undefined ? 1 : 0);
  const x = a.split('.');
  const y = b.split('.');
  for (let i = 0; i < Math.min(x.length, y.length); i++) {
    const p = x[i] ?? '';
    const q = y[i] ?? '';
    // Components have no leading zeros, so a longer one is larger; equal lengths compare as text.
    if (p.length !== q.length) return p.length - q.length;
    if (p !== q) return p < q ? -1 : 1;
  }
  return x.length - y.length;
}
