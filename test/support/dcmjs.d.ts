// The small part of dcmjs (which ships no types) that the codec and de-identification tests use.
declare module 'dcmjs' {
  type DicomJsonDataset = Record<string, { vr: string; Value: unknown[] }>;

  interface DicomDict {
    meta: DicomJsonDataset;
    dict: DicomJsonDataset;
    write(options?: { fragmentMultiframe?: boolean }): ArrayBuffer;
  }

  const data: {
    DicomMessage: {
      /** Reads a DICOM Part 10 file. */
      readFile(buffer: ArrayBuffer): DicomDict;
    };
    DicomMetaDictionary: {
      /** A data set keyed by attribute keywords, binary values as arrays of ArrayBuffers. */
      naturalizeDataset(dataset: DicomJsonDataset): Record<string, unknown>;
    };
  };
}
