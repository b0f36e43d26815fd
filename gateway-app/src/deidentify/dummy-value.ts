import type { UidMap } from './uid-map';

/** The text that replaces identifying strings: valid in every string VR, CS and AE included (≤ 16). */
export const DUMMY_TEXT = 'ANONYMIZED';

const NUMERIC_VRS = new Set(['IS', 'DS', 'US', 'SS', 'UL', 'SL', 'FL', 'FD', 'UV', 'SV', 'AT']);
const BINARY_VRS = new Set(['OB', 'OW', 'OD', 'OF', 'OL', 'OV', 'UN']);

/**
 * A dummy value for an attribute of `vr` (action `D`), in dcmjs's DICOM JSON model: fixed values that
 * carry nothing of the original. A sequence becomes empty (whatever it held is dropped, not faked), a
 * UID is replaced as `U` would, and binary data becomes zero-length.
 */
export function dummyValue(vr: string, current: readonly unknown[], uids: UidMap): unknown[] {
  switch (vr) {
    case 'PN':
      return [{ Alphabetic: DUMMY_TEXT }];
    case 'DA':
      return ['19000101'];
    case 'TM':
      return ['000000'];
    case 'DT':
      return ['19000101000000'];
    case 'AS':
      return ['000Y'];
    case 'UI':
      return remapUids(current, uids);
    case 'SQ':
      return [];
    default:
      if (NUMERIC_VRS.has(vr)) return [0];
      if (BINARY_VRS.has(vr)) return [];
      return [DUMMY_TEXT];
  }
}

/** Each UID in a value replaced by its mapping; anything else in it dropped. */
export function remapUids(values: readonly unknown[], uids: UidMap): string[] {
  return values.filter((v): v is string => typeof v === 'string' && v !== '').map((v) => uids.map(v));
}
