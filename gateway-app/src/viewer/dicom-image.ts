/**
 * The attributes a viewer shows about a DICOM instance: strings as stored with padding removed, dates
 * and names in their DICOM form (see {@link formatDicomDate} and {@link formatPersonName}), `undefined`
 * where the file has no value.
 */
export interface DicomTags {
  readonly patientName: string | undefined;
  readonly patientId: string | undefined;
  readonly patientBirthDate: string | undefined;
  readonly patientSex: string | undefined;
  readonly studyDate: string | undefined;
  readonly studyTime: string | undefined;
  readonly studyDescription: string | undefined;
  readonly seriesDescription: string | undefined;
  readonly modality: string | undefined;
  readonly institutionName: string | undefined;
  readonly studyInstanceUid: string | undefined;
  readonly seriesInstanceUid: string | undefined;
  readonly sopInstanceUid: string | undefined;
  readonly instanceNumber: number | undefined;
  /** Slice Location (0020,1041), in millimetres. */
  readonly sliceLocation: number | undefined;
  /** Image Position (Patient) (0020,0032): x, y, z of the first pixel's centre, in millimetres. */
  readonly imagePositionPatient: readonly [number, number, number] | undefined;
  /** Image Orientation (Patient) (0020,0037): the row and column direction cosines. */
  readonly imageOrientationPatient: readonly [number, number, number, number, number, number] | undefined;
  /** Pixel Spacing (0028,0030), or Imager Pixel Spacing (0018,1164): row spacing, then column spacing, in mm. */
  readonly pixelSpacing: readonly [number, number] | undefined;
}

/**
 * A lookup table of PS3.3 C.11.1.1 (modality, VOI or palette colour): stored values from `firstMapped`
 * map to `data` in order; values below map to the first entry and above to the last.
 */
export interface LookupTable {
  readonly firstMapped: number;
  /** Bits per entry (8 to 16): the output range is 0 to 2^bits − 1. */
  readonly bits: number;
  readonly data: Uint16Array<ArrayBuffer>;
}

/** A window the file proposes (Window Center, Width and Center & Width Explanation). */
export interface WindowPreset {
  readonly center: number;
  readonly width: number;
  /** What the window is for ("BONE", "LUNG"…), if the file says. */
  readonly explanation: string | undefined;
}

/** The Image Pixel, Modality LUT and VOI LUT attributes that decoding and display need. */
export interface ImageAttributes {
  readonly rows: number;
  readonly columns: number;
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly highBit: number;
  /** 0 for unsigned samples, 1 for two's complement. */
  readonly pixelRepresentation: number;
  readonly samplesPerPixel: number;
  /**
   * `MONOCHROME1`, `MONOCHROME2`, `PALETTE COLOR`, `RGB`, `YBR_FULL`, `YBR_FULL_422`, `YBR_PARTIAL_422`,
   * `YBR_PARTIAL_420`, `YBR_ICT` or `YBR_RCT` (the last three only compressed).
   */
  readonly photometricInterpretation: string;
  /** 0 for interleaved colour samples, 1 for one plane per colour. */
  readonly planarConfiguration: number;
  /** 1 unless the file says otherwise. */
  readonly rescaleSlope: number;
  /** 0 unless the file says otherwise. */
  readonly rescaleIntercept: number;
  /** The first Window Center (0028,1050), in modality units, if any. */
  readonly windowCenter: number | undefined;
  /** The first Window Width (0028,1051), if any. */
  readonly windowWidth: number | undefined;
  /** Every window the file proposes, the first one first. */
  readonly windowPresets: readonly WindowPreset[];
  /** The first VOI LUT of the VOI LUT Sequence (0028,3010), if any. */
  readonly voiLut: LookupTable | undefined;
  /** The red, green and blue palette colour lookup tables, for `PALETTE COLOR`. */
  readonly palette:
    { readonly red: LookupTable; readonly green: LookupTable; readonly blue: LookupTable } | undefined;
  /** 1 unless the file says otherwise. */
  readonly numberOfFrames: number;
  readonly transferSyntaxUid: string;
}

/** Where the pixel data lies in the file's bytes. */
export type PixelDataLocation =
  | {
      readonly encapsulated: false;
      /** The offset of the first byte of the value. */
      readonly offset: number;
      readonly length: number;
      /**
       * Whether the value is big endian 16-bit words (OW in Explicit VR Big Endian): swapping each pair of
       * bytes gives little endian samples of any size, as dcmtk reads them (8-bit samples two a word,
       * 32-bit ones low word first).
       */
      readonly swappedPairs: boolean;
    }
  | {
      readonly encapsulated: true;
      /** Each fragment's data `position` in the file and `offset` of its item from the first fragment. */
      readonly fragments: readonly {
        readonly offset: number;
        readonly position: number;
        readonly length: number;
      }[];
      /** The basic offset table: each frame's first fragment `offset`; empty if the file has none. */
      readonly basicOffsetTable: readonly number[];
    };

/**
 * A DICOM image ready to decode: its tags, its image attributes, and where its pixel data is. Plain data,
 * so it can be posted to a worker.
 */
export interface DicomImage extends DicomTags, ImageAttributes {
  /** The whole file, which the pixel data location refers to. */
  readonly bytes: Uint8Array;
  /** Whether multi-byte samples are little endian: false only for Explicit VR Big Endian. */
  readonly littleEndian: boolean;
  readonly pixelData: PixelDataLocation;
}
