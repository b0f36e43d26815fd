import { useCallback, useEffect, useRef, useState } from 'react';
import type { DicomImage } from '../../../src/viewer';
import { readContent, type UnshownItem } from './read-content';

/** A record's content as far as it has been read. */
export interface RecordContent {
  mediaType: string;
  /** DICOM instances parsed so far, keyed by their position in the record. */
  images: readonly { key: string; image: DicomImage }[];
  /** DICOM instances the record holds; 0 when it holds none. */
  expected: number;
  firstImageBytes?: number;
  totalBytes?: number;
  complete: boolean;
  pictures: readonly { key: string; name: string; mediaType: string; url: string }[];
  /** Documents carried in DICOM objects (Encapsulated PDF), as blob: URLs to open. */
  documents: readonly {
    key: string;
    name: string;
    title: string | undefined;
    mediaType: string;
    url: string;
  }[];
  unshown: readonly (UnshownItem & { key: string })[];
  /** Every file of the record as it was sent (a DICOM instance's own bytes, not the viewer's copy). */
  files: readonly SavedFile[];
  error?: unknown;
}

/** A file of a record as it was sent, for saving. */
export interface SavedFile {
  /** Its name in a study; empty for a record that is one file. */
  name: string;
  mediaType: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/**
 * Reads a record's decrypted content into state as it arrives. Blob URLs of its pictures are revoked and
 * the reading stopped when the page goes away or another record is shown.
 */
export function useRecordContent(): {
  content: RecordContent | null;
  show: (plaintext: ReadableStream<Uint8Array>, mediaType: string) => void;
} {
  const [content, setContent] = useState<RecordContent | null>(null);
  const live = useRef<{ controller: AbortController | null; urls: string[] }>({ controller: null, urls: [] });

  useEffect(() => {
    const current = live.current;
    return () => {
      current.controller?.abort();
      for (const url of current.urls.splice(0)) URL.revokeObjectURL(url);
    };
  }, []);

  const show = useCallback((plaintext: ReadableStream<Uint8Array>, mediaType: string) => {
    const current = live.current;
    current.controller?.abort();
    for (const url of current.urls.splice(0)) URL.revokeObjectURL(url);
    const controller = new AbortController();
    current.controller = controller;
    const update = (change: (c: RecordContent) => RecordContent) => {
      if (!controller.signal.aborted) setContent((c) => (c ? change(c) : c));
    };
    setContent({
      mediaType,
      images: [],
      expected: 0,
      complete: false,
      pictures: [],
      documents: [],
      unshown: [],
      files: [],
    });
    readContent(
      plaintext,
      mediaType,
      {
        onExpected: (expected) => {
          update((c) => ({ ...c, expected }));
        },
        onDicom: (image, index, bytesRead) => {
          update((c) => ({
            ...c,
            images: [...c.images, { key: String(index), image }],
            firstImageBytes: c.firstImageBytes ?? bytesRead,
          }));
        },
        onPicture: ({ name, mediaType: type, bytes, index }) => {
          const url = URL.createObjectURL(new Blob([bytes], { type }));
          current.urls.push(url);
          update((c) => ({
            ...c,
            pictures: [...c.pictures, { key: String(index), name, mediaType: type, url }],
          }));
        },
        onDocument: ({ name, title, mediaType: type, bytes, index }) => {
          const url = URL.createObjectURL(new Blob([bytes], { type }));
          current.urls.push(url);
          update((c) => ({
            ...c,
            documents: [...c.documents, { key: String(index), name, title, mediaType: type, url }],
          }));
        },
        onFile: ({ name, mediaType: type, bytes }) => {
          update((c) => ({ ...c, files: [...c.files, { name, mediaType: type, bytes }] }));
        },
        onUnshown: (item) => {
          update((c) => ({ ...c, unshown: [...c.unshown, { ...item, key: String(item.index) }] }));
        },
      },
      controller.signal,
    ).then(
      (totalBytes) => {
        update((c) => ({ ...c, complete: true, totalBytes }));
      },
      (error: unknown) => {
        update((c) => ({ ...c, error }));
      },
    );
  }, []);

  return { content, show };
}
