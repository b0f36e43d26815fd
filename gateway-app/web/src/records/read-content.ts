import { concatBytes } from '../../../src/envelope/bytes';
import { STUDY_MEDIA_TYPE, readBundle } from '../../../src/study';
import {
  ViewerError,
  parseDicom,
  readDicomTags,
  readEncapsulatedDocument,
  type DicomImage,
  type DicomTags,
} from '../../../src/viewer';
import { countingStream } from '../send/counting-stream';

const DICOM = 'application/dicom';
const PICTURES = new Set(['image/png', 'image/jpeg']);

/** A file of a record that cannot be shown, and why; the tags of a DICOM file the viewer cannot decode. */
export interface UnshownItem {
  /** The file's name in a study; empty for a record that is one file. */
  name: string;
  mediaType: string;
  index: number;
  error?: unknown;
  tags?: DicomTags;
}

/** What a record's content yields as it is read. */
export interface ContentEvents {
  /** How many DICOM instances the record holds (from a study's manifest, or 1), before any arrives. */
  onExpected: (dicomCount: number) => void;
  /** A DICOM instance, parsed; `bytesRead` is how far into the plaintext its last byte was. */
  onDicom: (image: DicomImage, index: number, bytesRead: number) => void;
  /** A PNG or JPEG image, as bytes for a blob: URL. */
  onPicture: (picture: {
    name: string;
    mediaType: string;
    bytes: Uint8Array<ArrayBuffer>;
    index: number;
  }) => void;
  /** A file that cannot be shown: not an image, or a DICOM file the viewer cannot parse. */
  onUnshown: (item: UnshownItem) => void;
  /** A document a DICOM object carries (an Encapsulated PDF), as bytes for a blob: URL. */
  onDocument: (document: {
    name: string;
    mediaType: string;
    title: string | undefined;
    bytes: Uint8Array<ArrayBuffer>;
    index: number;
  }) => void;
  /** Every file of the record as it was sent, whatever its kind, for saving. */
  onFile: (file: { name: string; mediaType: string; bytes: Uint8Array<ArrayBuffer>; index: number }) => void;
}

const looksDicom = (name: string, mediaType: string, bytes?: Uint8Array): boolean =>
  mediaType === DICOM ||
  name.toLowerCase().endsWith('.dcm') ||
  (bytes !== undefined && bytes.length > 132 && String.fromCharCode(...bytes.subarray(128, 132)) === 'DICM');

async function readAll(
  stream: ReadableStream<Uint8Array>,
  signal: AbortSignal,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  const reader = stream.getReader();
  try {
    for (;;) {
      if (signal.aborted) {
        await reader.cancel();
        break;
      }
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
    }
  } finally {
    reader.releaseLock();
  }
  return concatBytes(chunks);
}

/**
 * Reads a record's decrypted content and hands on what can be shown as soon as it arrives: a study's
 * DICOM instances one by one while the rest still downloads, a single DICOM file or image once whole.
 * Resolves with the number of plaintext bytes read; rejects if decryption or the bundle fails (an altered
 * ciphertext fails decryption). Stops reading when `signal` aborts.
 */
export async function readContent(
  plaintext: ReadableStream<Uint8Array>,
  mediaType: string,
  events: ContentEvents,
  signal: AbortSignal,
): Promise<number> {
  let total = 0;
  const counted = plaintext.pipeThrough(
    countingStream((n) => {
      total = n;
    }),
  );
  if (mediaType === STUDY_MEDIA_TYPE) {
    const entries = readBundle(counted, {
      onManifest: (manifest) => {
        events.onExpected(manifest.files.filter((f) => looksDicom(f.name, f.mediaType)).length);
      },
    });
    for await (const entry of entries) {
      if (signal.aborted) break;
      const { name, index, bytes } = entry;
      events.onFile({ name, mediaType: entry.mediaType, bytes, index });
      if (looksDicom(name, entry.mediaType, bytes)) {
        handOnDicom(events, { name, mediaType: entry.mediaType, index }, bytes, entry.bytesRead);
      } else if (PICTURES.has(entry.mediaType)) {
        events.onPicture({ name, mediaType: entry.mediaType, bytes, index });
      } else {
        events.onUnshown({ name, mediaType: entry.mediaType, index });
      }
    }
    return total;
  }
  if (mediaType === DICOM) events.onExpected(1);
  const bytes = await readAll(counted, signal);
  events.onFile({ name: '', mediaType, bytes, index: 0 });
  if (mediaType === DICOM) {
    handOnDicom(events, { name: '', mediaType, index: 0 }, bytes, bytes.length);
  } else if (PICTURES.has(mediaType)) {
    events.onPicture({ name: '', mediaType, bytes, index: 0 });
  } else {
    events.onUnshown({ name: '', mediaType, index: 0 });
  }
  return bytes.length;
}

function handOnDicom(
  events: ContentEvents,
  item: { name: string; mediaType: string; index: number },
  bytes: Uint8Array,
  bytesRead: number,
): void {
  let image: DicomImage;
  try {
    image = parseDicom(bytes);
  } catch (error) {
    const document =
      error instanceof ViewerError && error.code === 'NO_PIXEL_DATA'
        ? readEncapsulatedDocument(bytes)
        : undefined;
    if (document) events.onDocument({ name: item.name, index: item.index, ...document });
    else events.onUnshown({ ...item, error, ...tagsIfReadable(bytes) });
    return;
  }
  events.onDicom(image, item.index, bytesRead);
}

/** The tags of a DICOM file whose pixels cannot be decoded, so the page can still say what it is. */
function tagsIfReadable(bytes: Uint8Array): { tags?: DicomTags } {
  try {
    return { tags: readDicomTags(bytes) };
  } catch {
    return {};
  }
}
