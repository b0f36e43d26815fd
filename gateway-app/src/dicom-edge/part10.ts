import * as dcmjs from 'dcmjs';

/**
 * The Implementation Class UID MedShare's DICOM edge writes into the files it receives and names in its
 * associations: a UUID-derived UID (PS3.5 B.2), fixed so that files can be traced to the edge.
 */
export const EDGE_IMPLEMENTATION_CLASS_UID = '2.25.28726464296937328309523444894628767867';
/** The edge's Implementation Version Name (at most 16 characters). */
export const EDGE_IMPLEMENTATION_VERSION = 'MEDSHARE_EDGE_1';

const PREAMBLE_AND_PREFIX = 132;
/** (0002,0000) UL: tag, VR, 16-bit length, then the 4-byte group length. */
const GROUP_LENGTH_ELEMENT = 12;

/** What the file meta information of a received instance records. */
export interface FileMeta {
  readonly sopClassUid: string;
  readonly sopInstanceUid: string;
  readonly transferSyntaxUid: string;
  /** The calling AE title of the association the instance came in on. */
  readonly sourceAeTitle: string;
}

/**
 * The preamble, `DICM` and file meta information (PS3.10 7.1) that turn a data set received over the
 * network, kept byte for byte in the transfer syntax it came in, into a DICOM Part 10 file. dcmjs writes
 * the meta group; only that group is kept, whatever dcmjs would write for an empty data set after it.
 */
export function part10Header(meta: FileMeta): Uint8Array {
  const dict = new dcmjs.data.DicomDict(
    dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: Uint8Array.of(0, 1).buffer,
      MediaStorageSOPClassUID: meta.sopClassUid,
      MediaStorageSOPInstanceUID: meta.sopInstanceUid,
      TransferSyntaxUID: meta.transferSyntaxUid,
      ImplementationClassUID: EDGE_IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: EDGE_IMPLEMENTATION_VERSION,
      SourceApplicationEntityTitle: meta.sourceAeTitle,
    }),
  );
  dict.dict = {};
  const written = new Uint8Array(dict.write());
  const groupLength = new DataView(written.buffer).getUint32(PREAMBLE_AND_PREFIX + 8, true);
  return written.slice(0, PREAMBLE_AND_PREFIX + GROUP_LENGTH_ELEMENT + groupLength);
}
