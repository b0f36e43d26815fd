import type { DicomTags } from './dicom-image';

/** What {@link sortSlices} orders by. */
export type SliceKey = Pick<DicomTags, 'instanceNumber' | 'sliceLocation' | 'sopInstanceUid'> &
  Partial<Pick<DicomTags, 'imagePositionPatient' | 'imageOrientationPatient'>>;

/**
 * The slices of a series in viewing order, as a new array. When every slice has an Image Position and the
 * same Image Orientation (Patient), by position along the slice normal (the cross product of the row and
 * column directions), as a PACS stacks a volume whatever the instance numbers say; otherwise by Instance
 * Number, then Slice Location. Ties go by SOP Instance UID compared component by component as numbers.
 * Slices without a value come after those with one; equal slices keep their order.
 */
export function sortSlices<T extends SliceKey>(slices: readonly T[]): T[] {
  const depth = depthsAlongNormal(slices);
  return [...slices].sort(
    (a, b) =>
      (depth ? (depth.get(a) ?? 0) - (depth.get(b) ?? 0) : 0) ||
      compareOptional(a.instanceNumber, b.instanceNumber) ||
      compareOptional(a.sliceLocation, b.sliceLocation) ||
      compareUids(a.sopInstanceUid, b.sopInstanceUid),
  );
}

/** Each slice's position along the common slice normal, or `undefined` unless all share one orientation. */
function depthsAlongNormal<T extends SliceKey>(slices: readonly T[]): Map<T, number> | undefined {
  const orientation = slices[0]?.imageOrientationPatient;
  if (orientation === undefined || slices.length < 2) return undefined;
  const same = (o: readonly number[] | undefined) =>
    o?.every((v, i) => Math.abs(v - (orientation[i] ?? NaN)) < 1e-4) === true;
  if (!slices.every((s) => s.imagePositionPatient !== undefined && same(s.imageOrientationPatient))) {
    return undefined;
  }
  const [rx, ry, rz, cx, cy, cz] = orientation;
  const normal = [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
  const depths = new Map<T, number>();
  for (const s of slices) {
    const [x = 0, y = 0, z = 0] = s.imagePositionPatient ?? [];
    depths.set(s, x * (normal[0] ?? 0) + y * (normal[1] ?? 0) + z * (normal[2] ?? 0));
  }
  return depths;
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
