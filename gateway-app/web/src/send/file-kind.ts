/** The kinds of file MedShare sends, by media type. */
export type SendableMediaType = 'application/dicom' | 'image/png' | 'image/jpeg';

/** A chosen file, with the media type it was recognised as. */
export interface ChosenFile {
  file: File;
  mediaType: SendableMediaType;
}

/** What `<input type="file" accept>` offers. */
export const ACCEPTED_FILES = '.dcm,application/dicom,image/png,image/jpeg';

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const DICOM_PREAMBLE = 128;

function startsWith(bytes: Uint8Array, magic: readonly number[], offset = 0): boolean {
  return magic.every((b, i) => bytes[offset + i] === b);
}

/**
 * Recognises a DICOM file by its `.dcm` extension or the `DICM` magic after the 128-byte preamble (DICOM
 * files often have no extension), a PNG or JPEG by its signature or declared type. `undefined` for
 * anything else.
 */
export async function recogniseFile(file: File): Promise<SendableMediaType | undefined> {
  const head = new Uint8Array(await file.slice(0, DICOM_PREAMBLE + 4).arrayBuffer());
  const name = file.name.toLowerCase();
  if (name.endsWith('.dcm') || file.type === 'application/dicom') return 'application/dicom';
  if (startsWith(head, [0x44, 0x49, 0x43, 0x4d], DICOM_PREAMBLE)) return 'application/dicom';
  if (startsWith(head, PNG_MAGIC)) return 'image/png';
  if (startsWith(head, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  return undefined;
}
