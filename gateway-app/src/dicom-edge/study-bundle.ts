import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { STUDY_MEDIA_TYPE, bundleSize, createBundleStream, type BundleFile } from '../study';
import type { CollectedStudy } from './collector';

/** A collected study as the plaintext of one record: a study bundle, streamed from the spool. */
export interface StudyPlaintext {
  readonly stream: ReadableStream<Uint8Array>;
  readonly size: number;
  readonly mediaType: typeof STUDY_MEDIA_TYPE;
}

/**
 * The bundle the web UI and `medshare open` read as a study: one entry per instance, series after series
 * in the order their first instance arrived, named `s<series>-<instance>.dcm` (no UID or patient data in
 * a name). Each file is opened only when the bundle reaches it.
 */
export function studyPlaintext(study: CollectedStudy): StudyPlaintext {
  const seriesIndex = new Map<string, number>();
  for (const instance of study.instances) {
    if (!seriesIndex.has(instance.seriesUid)) seriesIndex.set(instance.seriesUid, seriesIndex.size + 1);
  }
  const ordered = [...study.instances].sort(
    (a, b) => (seriesIndex.get(a.seriesUid) ?? 0) - (seriesIndex.get(b.seriesUid) ?? 0),
  );
  const counters = new Map<number, number>();
  const files: BundleFile[] = ordered.map((instance) => {
    const series = seriesIndex.get(instance.seriesUid) ?? 0;
    const n = (counters.get(series) ?? 0) + 1;
    counters.set(series, n);
    return {
      name: `s${String(series).padStart(2, '0')}-${String(n).padStart(4, '0')}.dcm`,
      size: instance.size,
      mediaType: 'application/dicom',
      stream: () => Readable.toWeb(createReadStream(instance.path)) as ReadableStream<Uint8Array>,
    };
  });
  return { stream: createBundleStream(files), size: bundleSize(files), mediaType: STUDY_MEDIA_TYPE };
}
