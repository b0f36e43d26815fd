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
    imagePositionPatient: image.imagePositionPatient,
    imageOrientationPatient: image.imageOrientationPatient,
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

/** A series of a study: its slices in viewing order, and what to call it. */
export interface Series {
  /** The Series Instance UID, or a key of its own for instances without one. */
  key: string;
  modality: string | undefined;
  description: string | undefined;
  slices: Slice[];
}

/**
 * The instances of a study grouped by Series Instance UID, in the order their first instance arrived,
 * each series' slices in viewing order (see {@link slicesOf}).
 */
export function seriesOf(images: readonly { key: string; image: DicomImage }[]): Series[] {
  const groups = new Map<string, { key: string; image: DicomImage }[]>();
  for (const entry of images) {
    const uid = entry.image.seriesInstanceUid ?? 'no-series';
    const group = groups.get(uid);
    if (group) group.push(entry);
    else groups.set(uid, [entry]);
  }
  return [...groups].map(([key, entries]) => ({
    key,
    modality: entries[0]?.image.modality,
    description: entries[0]?.image.seriesDescription,
    slices: slicesOf(entries),
  }));
}
