import { FILE_HEAD_BYTES, checkFileKind } from '../../../src/study';

/** The kinds of file MedShare sends, by media type. */
export type SendableMediaType = 'application/dicom' | 'image/png' | 'image/jpeg';

/** A chosen file, with the media type it was recognised as. */
export interface ChosenFile {
  file: File;
  mediaType: SendableMediaType;
}

/** A file that is not sent, and why in one sentence. */
export interface RefusedFile {
  name: string;
  code: string;
  reason: string;
}

/** What `<input type="file" accept>` offers. */
export const ACCEPTED_FILES = '.dcm,application/dicom,image/png,image/jpeg';

/**
 * Checks a chosen file on the device, before anything is encrypted (see {@link checkFileKind}): DICOM
 * Part 10 whatever its name, PNG and JPEG by their signatures; an empty file, a file called `.dcm` that
 * is not DICOM, or any other kind is refused with its reason.
 */
export async function recogniseFile(file: File): Promise<ChosenFile | RefusedFile> {
  const head = new Uint8Array(await file.slice(0, FILE_HEAD_BYTES).arrayBuffer());
  const kind = checkFileKind({ head, size: file.size, name: file.name, declared: file.type });
  if (!kind.ok) return { name: file.name, code: kind.code, reason: kind.reason };
  return { file, mediaType: kind.mediaType as SendableMediaType };
}
