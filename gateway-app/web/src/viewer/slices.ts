import { decodeFrame, sortSlices, type DecodedFrame, type DicomImage } from '../../../src/viewer';
import { frameCodec } from './codecs';

/** One image to show: a frame of a DICOM instance (most instances hold one frame). */
export interface Slice {
  /** Unique within a study: the entry's position and the frame. */
  key: string;
  image: DicomImage;
  frame: number;
}

/** The slices of some DICOM instances in viewing order, each frame of a multi-frame instance in turn. */
export function slicesOf(images: readonly { key: string; image: DicomImage }[]): Slice[] {
  const sorted = sortSlices(images.map((entry) => ({ ...entry, ...sliceKey(entry.image) })));
  return sorted.flatMap(({ key, image }) =>
    Array.from({ length: Math.max(1, image.numberOfFrames) }, (_, frame) => ({
      key: `${key}#${frame}`,
      image,
      frame,
    })),
  );
}

function sliceKey(image: DicomImage) {
  return {
    instanceNumber: image.instanceNumber,
    sliceLocation: image.sliceLocation,
    sopInstanceUid: image.sopInstanceUid,
  };
}

/** Decoded frames kept for scrolling back and forth; a large study would not fit them all. */
const KEEP_DECODED = 48;
const decoded = new WeakMap<DicomImage, Map<number, Promise<DecodedFrame>>>();
const recent: { image: DicomImage; frame: number }[] = [];

/** A slice's decoded frame; the most recently shown ones are kept, so scrolling back is immediate. */
export function decodeSlice(slice: Slice): Promise<DecodedFrame> {
  let frames = decoded.get(slice.image);
  if (!frames) {
    frames = new Map();
    decoded.set(slice.image, frames);
  }
  let frame = frames.get(slice.frame);
  if (!frame) {
    const { image } = slice;
    frame = image.pixelData.encapsulated
      ? frameCodec().then((codec) => decodeFrame(image, slice.frame, codec))
      : decodeFrame(image, slice.frame);
    frames.set(slice.frame, frame);
    recent.push({ image: slice.image, frame: slice.frame });
    for (const old of recent.splice(0, Math.max(0, recent.length - KEEP_DECODED))) {
      decoded.get(old.image)?.delete(old.frame);
    }
  }
  return frame;
}
