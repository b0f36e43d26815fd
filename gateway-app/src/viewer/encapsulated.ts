import type { PixelDataLocation } from './dicom-image';
import { ViewerError } from './errors';

type Encapsulated = Extract<PixelDataLocation, { encapsulated: true }>;
type Fragment = Encapsulated['fragments'][number];

/**
 * The compressed bytes of one frame of encapsulated pixel data (PS3.5 A.4), as a fresh copy that the
 * caller may transfer. A frame's fragments are found from the basic offset table when there is one, as
 * one fragment per frame when the counts match, and otherwise by the start-of-image marker that begins
 * each frame's first fragment (JPEG, JPEG-LS and JPEG 2000).
 *
 * @throws {@link ViewerError} `BAD_PIXEL_DATA` if the frame's fragments cannot be told apart.
 */
export function encapsulatedFrame(
  bytes: Uint8Array,
  pixelData: Encapsulated,
  frameIndex: number,
  numberOfFrames: number,
): Uint8Array<ArrayBuffer> {
  const parts = frameFragments(bytes, pixelData, frameIndex, numberOfFrames);
  if (parts.length === 0) {
    throw new ViewerError('BAD_PIXEL_DATA', `frame ${frameIndex} has no pixel data fragments`, {
      details: { frameIndex },
    });
  }
  const out = new Uint8Array(parts.reduce((n, f) => n + f.length, 0));
  let at = 0;
  for (const f of parts) {
    if (f.position + f.length > bytes.length) {
      throw new ViewerError('BAD_PIXEL_DATA', 'a pixel data fragment runs past the end of the file');
    }
    out.set(bytes.subarray(f.position, f.position + f.length), at);
    at += f.length;
  }
  return out;
}

function frameFragments(
  bytes: Uint8Array,
  { fragments, basicOffsetTable }: Encapsulated,
  frameIndex: number,
  numberOfFrames: number,
): readonly Fragment[] {
  if (numberOfFrames === 1) return fragments;
  if (basicOffsetTable.length === numberOfFrames) {
    const start = basicOffsetTable[frameIndex] ?? Infinity;
    const end = basicOffsetTable[frameIndex + 1] ?? Infinity;
    return fragments.filter((f) => f.offset >= start && f.offset < end);
  }
  if (fragments.length === numberOfFrames) {
    const fragment = fragments[frameIndex];
    return fragment === undefined ? [] : [fragment];
  }
  const frames: Fragment[][] = [];
  for (const f of fragments) {
    // JPEG and JPEG-LS begin with SOI (FF D8), a JPEG 2000 codestream with SOC (FF 4F).
    const startsImage = bytes[f.position] === 0xff && [0xd8, 0x4f].includes(bytes[f.position + 1] ?? 0);
    const current = frames.at(-1);
    if (startsImage || current === undefined) frames.push([f]);
    else current.push(f);
  }
  if (frames.length !== numberOfFrames) {
    throw new ViewerError('BAD_PIXEL_DATA', `the pixel data fragments do not form ${numberOfFrames} frames`, {
      details: { fragments: fragments.length, numberOfFrames },
    });
  }
  return frames[frameIndex] ?? [];
}
