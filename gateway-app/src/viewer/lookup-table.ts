import type * as dicomParser from 'dicom-parser';
import type { LookupTable } from './dicom-image';

/**
 * Reads a lookup table (PS3.3 C.11.1.1): its descriptor (entries, first stored value mapped, bits per
 * entry; 0 entries means 65536) and its data, 16 bits an entry, or 8 bits an entry when the data is that
 * short. The first value mapped is read as signed when the pixel data is signed. `undefined` if the table
 * is missing or does not hold its entries.
 */
export function readLookupTable(
  dataSet: dicomParser.DataSet,
  descriptorTag: string,
  dataTag: string,
  signedPixels: boolean,
): LookupTable | undefined {
  const descriptor = dataSet.elements[descriptorTag];
  const data = dataSet.elements[dataTag];
  if (descriptor === undefined || data === undefined || descriptor.length < 6) return undefined;
  const declared = dataSet.uint16(descriptorTag, 0) ?? 0;
  const entries = declared === 0 ? 65536 : declared;
  const first = dataSet.uint16(descriptorTag, 1) ?? 0;
  const bits = dataSet.uint16(descriptorTag, 2) ?? 16;
  if (bits < 1 || bits > 16) return undefined;
  const values = new Uint16Array(entries);
  const bytes = dataSet.byteArray.subarray(data.dataOffset, data.dataOffset + data.length);
  if (data.length >= entries * 2) {
    for (let i = 0; i < entries; i++) values[i] = dataSet.uint16(dataTag, i) ?? 0;
  } else if (data.length >= entries) {
    values.set(bytes.subarray(0, entries));
  } else {
    return undefined;
  }
  // Some writers put 8-bit entries in the high byte of 16-bit words.
  if (bits === 8 && values.some((v) => v > 255))
    for (let i = 0; i < entries; i++) values[i] = (values[i] ?? 0) >> 8;
  return { firstMapped: signedPixels && first >= 0x8000 ? first - 0x10000 : first, bits, data: values };
}

/** The entry a value maps to: clamped to the first and last entries. */
export function lookUp(table: LookupTable, value: number): number {
  const i = Math.min(table.data.length - 1, Math.max(0, Math.round(value) - table.firstMapped));
  return table.data[i] ?? 0;
}
