// The small part of dcmjs (which ships no types) that the synthetic study writer, the DICOM edge and the
// de-identifier use.
declare module 'dcmjs' {
  /** An element in the DICOM JSON model: its VR and its values. */
  interface DicomJsonElement {
    vr: string;
    /** Absent for an attribute of zero length, as dcmjs reads it. */
    Value?: unknown[];
  }

  /** A dataset in the DICOM JSON model, keyed by eight-digit hexadecimal tags. */
  type DicomJsonDataset = Record<string, DicomJsonElement>;

  interface DicomWriteOptions {
    allowInvalidVRLength?: boolean;
    /** Splits each encapsulated frame into 20 KiB fragments unless false. */
    fragmentMultiframe?: boolean;
  }

  class DicomDict {
    constructor(meta: DicomJsonDataset);
    meta: DicomJsonDataset;
    dict: DicomJsonDataset;
    write(options?: DicomWriteOptions): ArrayBuffer;
  }

  const DicomMetaDictionary: {
    /** Turns a dataset keyed by attribute keywords into the DICOM JSON model; `_vrMap` sets `ox` VRs. */
    denaturalizeDataset(dataset: Record<string, unknown>): DicomJsonDataset;
    /** The standard's data dictionary by attribute keyword; `tag` reads `(gggg,eeee)`. */
    nameMap: Readonly<Record<string, { tag: string; vr: string; name: string } | undefined>>;
  };

  const DicomMessage: {
    /** Parses a DICOM Part 10 file; the data set and meta group come out in the DICOM JSON model. */
    readFile(buffer: ArrayBuffer, options?: { ignoreErrors?: boolean }): DicomDict;
  };

  const data: {
    DicomDict: typeof DicomDict;
    DicomMetaDictionary: typeof DicomMetaDictionary;
    DicomMessage: typeof DicomMessage;
  };
}
