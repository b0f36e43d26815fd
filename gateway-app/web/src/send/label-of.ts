import type { RecordLabel } from '../../../src/envelope/record-label';
import { readDicomTags } from '../../../src/viewer/parse-dicom';
import type { ChosenFile } from './file-kind';

/**
 * What the record lists of the sender and the recipient will say of these files: the first DICOM file's
 * study description, modality and date (after de-identification, when it was asked for), or the name of a
 * single other file, and the number of files. It is sealed for the two of them before it leaves.
 */
export async function labelOf(files: readonly ChosenFile[]): Promise<RecordLabel> {
  const first = files.find((f) => f.mediaType === 'application/dicom');
  let tags: ReturnType<typeof readDicomTags> | undefined;
  if (first) {
    try {
      tags = readDicomTags(new Uint8Array(await first.file.arrayBuffer()));
    } catch {
      tags = undefined; // checked as DICOM on choosing; a label is a nicety, never a reason to stop
    }
  }
  const [only] = files;
  const description = tags?.studyDescription ?? (files.length === 1 && !first ? only?.file.name : undefined);
  return {
    ...(description ? { description } : {}),
    ...(tags?.modality ? { modality: tags.modality } : {}),
    ...(tags?.studyDate ? { date: tags.studyDate } : {}),
    files: files.length,
  };
}
