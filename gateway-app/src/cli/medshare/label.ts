import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { RecordLabel } from '../../envelope/record-label';
import { readDicomTags } from '../../viewer/parse-dicom';

/** DICOM files larger than this are labelled by name only: reading one whole to find its tags is not worth it. */
const MAX_TAG_READ = 64 * 1024 * 1024;

/**
 * The label a sent file gets in the sender's and the recipient's record lists (sealed for them): a DICOM
 * file's study description, modality and date, else its name. `bytes` when it is already in memory.
 */
export async function fileLabel(
  file: string,
  size: number,
  mediaType: string,
  bytes?: Uint8Array,
): Promise<RecordLabel> {
  if (mediaType === 'application/dicom' && (bytes !== undefined || size <= MAX_TAG_READ)) {
    try {
      return dicomLabel(bytes ?? (await readFile(file)), 1);
    } catch {
      // checked as DICOM before; a label is a nicety, never a reason to stop
    }
  }
  return { description: basename(file), files: 1 };
}

/** The label of a DICOM study from one of its instances: study description, modality and date. */
export function dicomLabel(instance: Uint8Array, files: number): RecordLabel {
  const tags = readDicomTags(instance);
  return {
    ...(tags.studyDescription ? { description: tags.studyDescription } : {}),
    ...(tags.modality ? { modality: tags.modality } : {}),
    ...(tags.studyDate ? { date: tags.studyDate } : {}),
    files,
  };
}
