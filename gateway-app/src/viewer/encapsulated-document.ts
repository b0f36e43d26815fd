import * as dicomParser from 'dicom-parser';
import { hasDicomPrefix } from './parse-dicom';

/** A document carried in a DICOM object (an Encapsulated PDF, say): its bytes and media type. */
export interface EncapsulatedDocument {
  /** MIME Type of Encapsulated Document (0042,0012), `application/pdf` for a PDF. */
  readonly mediaType: string;
  /** Document Title (0042,0010), if any. */
  readonly title: string | undefined;
  /** The Encapsulated Document (0042,0011) itself, a fresh copy; a trailing pad byte removed. */
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/**
 * The document a DICOM file encapsulates (PS3.3 C.24.2: Encapsulated PDF, CDA, STL…), or `undefined` for a
 * file that holds none or is not DICOM.
 */
export function readEncapsulatedDocument(bytes: Uint8Array): EncapsulatedDocument | undefined {
  if (!hasDicomPrefix(bytes)) return undefined;
  let dataSet: dicomParser.DataSet;
  try {
    dataSet = dicomParser.parseDicom(bytes);
  } catch {
    return undefined;
  }
  const element = dataSet.elements.x00420011;
  const mediaType = dataSet.string('x00420012')?.trim();
  if (element === undefined || mediaType === undefined || mediaType === '') return undefined;
  let length = element.length;
  // OB values are padded to an even length; a PDF ends with %%EOF and a line end, never a NUL.
  if (length > 0 && dataSet.byteArray[element.dataOffset + length - 1] === 0) length -= 1;
  const title = dataSet.string('x00420010')?.trim();
  return {
    mediaType,
    title: title === '' ? undefined : title,
    bytes: dataSet.byteArray.slice(element.dataOffset, element.dataOffset + length),
  };
}
