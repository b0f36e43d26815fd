const MASK_64 = (1n << 64n) - 1n;

/** The root of the UIDs the synthetic studies use: `2.25.` takes a UUID as one decimal integer. */
export const SYNTHETIC_UID_ROOT = '2.25.';

/**
 * A UID under `2.25.` that depends only on `seed` and `index`: a version-8 (custom) UUID built from two
 * rounds of SplitMix64, written as a decimal integer as PS3.5 B.2 describes.
 */
export function syntheticUid(seed: number, index: number): string {
  const state = (BigInt(Math.trunc(seed)) << 32n) ^ BigInt(Math.trunc(index));
  const high = splitMix64(state);
  const low = splitMix64(state ^ high);
  let uuid = (high << 64n) | low;
  uuid = (uuid & ~(0xfn << 76n)) | (0x8n << 76n);
  uuid = (uuid & ~(0x3n << 62n)) | (0x2n << 62n);
  return SYNTHETIC_UID_ROOT + uuid.toString();
}

function splitMix64(seed: bigint): bigint {
  let z = (seed + 0x9e3779b97f4a7c15n) & MASK_64;
  z = ((z ^ (z >> 30n)) * 0xbf58476d1ce4e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d049bb133111ebn) & MASK_64;
  return z ^ (z >> 31n);
}
