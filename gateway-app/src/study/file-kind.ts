import * as dicomParser from 'dicom-parser';

/** How many bytes of a file {@link checkFileKind} reads: enough for any DICOM file meta information. */
export const FILE_HEAD_BYTES = 64 * 1024;

/**
 * Why a file is not sent:
 * - `EMPTY_FILE`: the file has no bytes;
 * - `NOT_DICOM`: it is named or declared DICOM but is not a DICOM Part 10 file, or its file meta
 *   information cannot be read;
 * - `UNKNOWN_KIND`: it is none of the kinds the caller accepts.
 */
export type FileKindRefusal = 'EMPTY_FILE' | 'NOT_DICOM' | 'UNKNOWN_KIND';

/** What {@link checkFileKind} found: the file's true media type, or why it is refused. */
export type FileKind =
  | { readonly ok: true; readonly mediaType: string }
  | { readonly ok: false; readonly code: FileKindRefusal; readonly reason: string };

const DICOM = 'application/dicom';
const PREAMBLE = 128;
const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
const JPEG_MAGIC = [0xff, 0xd8, 0xff];
const DICOM_NAME = /\.(dcm|dicom)$/i;

const startsWith = (bytes: Uint8Array, magic: readonly number[], offset = 0): boolean =>
  magic.every((b, i) => bytes[offset + i] === b);

/**
 * Checks a file on the device before it is encrypted, from its first {@link FILE_HEAD_BYTES} bytes, its
 * size and its name: a DICOM file must be DICOM Part 10 (preamble, `DICM`, file meta information that
 * parses and names a transfer syntax); a PNG or JPEG is recognised by its signature whatever it is called;
 * a file named or `declared` DICOM that is neither is refused. Other files get `otherwise` (the media type
 * from the extension, say), or are refused `UNKNOWN_KIND` when it is undefined. Runs in the browser too.
 */
export function checkFileKind(
  file: {
    readonly head: Uint8Array;
    readonly size: number;
    readonly name: string;
    readonly declared?: string;
  },
  otherwise?: string,
): FileKind {
  const { head, size, name } = file;
  if (size === 0) return { ok: false, code: 'EMPTY_FILE', reason: `${name} is empty` };
  if (startsWith(head, [0x44, 0x49, 0x43, 0x4d], PREAMBLE)) {
    let transferSyntax: string | undefined;
    try {
      transferSyntax = dicomParser.readPart10Header(head).string('x00020010');
    } catch {
      transferSyntax = undefined;
    }
    return transferSyntax === undefined
      ? { ok: false, code: 'NOT_DICOM', reason: `the DICOM file meta information of ${name} cannot be read` }
      : { ok: true, mediaType: DICOM };
  }
  if (startsWith(head, PNG_MAGIC)) return { ok: true, mediaType: 'image/png' };
  if (startsWith(head, JPEG_MAGIC)) return { ok: true, mediaType: 'image/jpeg' };
  if (DICOM_NAME.test(name) || file.declared === DICOM) {
    return {
      ok: false,
      code: 'NOT_DICOM',
      reason: `${name} is not a DICOM Part 10 file: it has no DICM marker after the 128-byte preamble`,
    };
  }
  if (otherwise === undefined) {
    return { ok: false, code: 'UNKNOWN_KIND', reason: `${name} is not a DICOM, PNG or JPEG file` };
  }
  return { ok: true, mediaType: otherwise };
}
