import * as dcmjs from 'dcmjs';
import { encodeGrayscaleJpeg } from './jpeg-encoder';
import { phantomSlice } from './phantom';
import { syntheticUid } from './synthetic-uid';

/** The transfer syntaxes {@link syntheticStudy} writes. */
export type SyntheticTransferSyntax = 'explicit-le' | 'implicit-le' | 'jpeg-baseline';

/** Options of {@link syntheticStudy}. */
export interface SyntheticStudyOptions {
  /** The number of slices, one file each, from 1 to 4096 (a study of some 2 GB at 512 × 512). */
  slices: number;
  /** 256 by default. */
  rows?: number;
  /** 256 by default. */
  columns?: number;
  /**
   * 16 gives CT-like values from −1024 to 3000 HU; 8 gives a secondary capture of the phantom seen through
   * a soft-tissue window. JPEG baseline needs 8.
   */
  bits: 8 | 16;
  transferSyntax: SyntheticTransferSyntax;
  /** `CT` by default for 16 bits, `OT` for 8. */
  modality?: string;
  /** Seeds the UIDs and the noise; 1 by default. The same options always give the same bytes. */
  seed?: number;
  /**
   * For 16 bits: store signed 16-bit values (the Hounsfield units themselves) instead of unsigned 12-bit
   * values with a rescale intercept of −1024. False by default.
   */
  signed?: boolean;
  /** JPEG quality from 1 to 100; 90 by default. */
  jpegQuality?: number;
}

/** One file of a synthetic study. */
export interface SyntheticFile {
  /** `slice-001.dcm`, `slice-002.dcm`… */
  readonly name: string;
  /** A DICOM Part 10 file. */
  readonly bytes: Uint8Array<ArrayBuffer>;
}

/** The identifiers every synthetic study carries, so that nobody mistakes one for a real patient's. */
export const SYNTHETIC_IDENTITY = {
  patientName: 'SYNTHETIC^PATIENT',
  patientId: 'SYN-0001',
  institutionName: 'MedShare Synthetic',
} as const;

const TRANSFER_SYNTAX_UIDS: Record<SyntheticTransferSyntax, string> = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
};
const CT_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.2';
const SECONDARY_CAPTURE_IMAGE_STORAGE = '1.2.840.10008.5.1.4.1.1.7';
const IMPLEMENTATION_CLASS_UID = syntheticUid(0, 0);
/** The soft-tissue window through which 8-bit studies see the phantom. */
const EIGHT_BIT_WINDOW = { center: 40, width: 600 };
const FIELD_OF_VIEW_MM = 350;
const SLICE_SPACING_MM = 2.5;

/**
 * A synthetic study: one DICOM Part 10 file per slice of a CT-like phantom (see {@link phantomSlice}),
 * all in one study and series, with `SYNTHETIC^PATIENT`, `SYN-0001`, `MedShare Synthetic`, Synthetic
 * Data `YES`, and UIDs under `2.25.` derived from the seed. 16-bit studies are CT images with
 * window tags for soft tissue; 8-bit ones, including JPEG baseline, are secondary captures in MONOCHROME2.
 *
 * Written with dcmjs, which also fills in the basic offset table; each JPEG frame is one fragment holding a
 * one-component grayscale JPEG.
 */
export function syntheticStudy(options: SyntheticStudyOptions): SyntheticFile[] {
  const { slices, bits, transferSyntax } = options;
  const rows = options.rows ?? 256;
  const columns = options.columns ?? 256;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(slices) || slices < 1 || slices > 4096) {
    throw new RangeError('a synthetic study has 1 to 4096 slices');
  }
  if (![rows, columns].every((n) => Number.isInteger(n) && n >= 1 && n <= 4096)) {
    throw new RangeError('synthetic images are 1 to 4096 pixels on each side');
  }
  if (transferSyntax === 'jpeg-baseline' && bits !== 8) {
    throw new RangeError('JPEG baseline holds 8-bit images only');
  }
  const modality = options.modality ?? (bits === 16 ? 'CT' : 'OT');
  const sopClassUid = bits === 16 && modality === 'CT' ? CT_IMAGE_STORAGE : SECONDARY_CAPTURE_IMAGE_STORAGE;
  const study = {
    studyInstanceUid: syntheticUid(seed, 1),
    seriesInstanceUid: syntheticUid(seed, 2),
    frameOfReferenceUid: syntheticUid(seed, 3),
  };
  const digits = Math.max(3, String(slices).length);
  const pixelSpacing = round(FIELD_OF_VIEW_MM / Math.max(rows, columns), 6);

  return Array.from({ length: slices }, (_, slice) => {
    const sopInstanceUid = syntheticUid(seed, 1000 + slice);
    const sliceLocation = round((slice - (slices - 1) / 2) * SLICE_SPACING_MM, 3);
    const pixels = syntheticPixels({ ...options, rows, columns, seed }, slice);
    const dataset: Record<string, unknown> = {
      ImageType:
        sopClassUid === CT_IMAGE_STORAGE ? ['ORIGINAL', 'PRIMARY', 'AXIAL'] : ['DERIVED', 'SECONDARY'],
      SOPClassUID: sopClassUid,
      SOPInstanceUID: sopInstanceUid,
      SyntheticData: 'YES',
      StudyDate: '20240131',
      SeriesDate: '20240131',
      ContentDate: '20240131',
      StudyTime: '093000',
      SeriesTime: '093000',
      ContentTime: '093000',
      AccessionNumber: '',
      Modality: modality,
      ConversionType: sopClassUid === SECONDARY_CAPTURE_IMAGE_STORAGE ? 'SYN' : undefined,
      Manufacturer: 'MedShare',
      InstitutionName: SYNTHETIC_IDENTITY.institutionName,
      ReferringPhysicianName: '',
      StudyDescription: 'Synthetic phantom study',
      SeriesDescription: `Synthetic phantom, ${bits}-bit ${transferSyntax}`,
      PatientName: SYNTHETIC_IDENTITY.patientName,
      PatientID: SYNTHETIC_IDENTITY.patientId,
      PatientBirthDate: '19700101',
      PatientSex: 'O',
      KVP: sopClassUid === CT_IMAGE_STORAGE ? '' : undefined,
      SliceThickness: SLICE_SPACING_MM,
      PatientPosition: 'HFS',
      StudyInstanceUID: study.studyInstanceUid,
      SeriesInstanceUID: study.seriesInstanceUid,
      StudyID: '1',
      SeriesNumber: 1,
      AcquisitionNumber: 1,
      InstanceNumber: slice + 1,
      ImagePositionPatient: [
        round((-pixelSpacing * (columns - 1)) / 2, 3),
        round((-pixelSpacing * (rows - 1)) / 2, 3),
        sliceLocation,
      ],
      ImageOrientationPatient: [1, 0, 0, 0, 1, 0],
      FrameOfReferenceUID: study.frameOfReferenceUid,
      PositionReferenceIndicator: '',
      SliceLocation: sliceLocation,
      SamplesPerPixel: 1,
      PhotometricInterpretation: 'MONOCHROME2',
      Rows: rows,
      Columns: columns,
      PixelSpacing: [pixelSpacing, pixelSpacing],
      ...pixelModule(options, pixels, rows, columns),
    };

    const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
      FileMetaInformationVersion: Uint8Array.of(0, 1).buffer,
      MediaStorageSOPClassUID: sopClassUid,
      MediaStorageSOPInstanceUID: sopInstanceUid,
      TransferSyntaxUID: TRANSFER_SYNTAX_UIDS[transferSyntax],
      ImplementationClassUID: IMPLEMENTATION_CLASS_UID,
      ImplementationVersionName: 'MEDSHARE_SYN_1',
    });
    const dict = new dcmjs.data.DicomDict(meta);
    dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset(dataset);
    // One fragment per frame: dcmjs otherwise splits frames into 20 KiB fragments.
    const bytes = new Uint8Array(dict.write({ fragmentMultiframe: false }));
    return { name: `slice-${String(slice + 1).padStart(digits, '0')}.dcm`, bytes };
  });
}

/**
 * The values slice `slice` of {@link syntheticStudy} holds, after the modality rescale: Hounsfield units
 * for 16 bits, gray levels for 8 bits. Those of a JPEG study are the values before compression.
 */
export function syntheticPixels(
  options: SyntheticStudyOptions,
  slice: number,
): Int16Array | Uint8Array<ArrayBuffer> {
  const rows = options.rows ?? 256;
  const columns = options.columns ?? 256;
  const hu = phantomSlice({ rows, columns, slice, slices: options.slices, seed: options.seed ?? 1 });
  if (options.bits === 16) return hu;
  const { center, width } = EIGHT_BIT_WINDOW;
  return Uint8Array.from(hu, (v) =>
    Math.min(255, Math.max(0, Math.round(((v - center) / width + 0.5) * 255))),
  );
}

/** The Image Pixel and Modality and VOI LUT attributes, and the pixel data in the chosen encoding. */
function pixelModule(
  options: SyntheticStudyOptions,
  pixels: Int16Array | Uint8Array,
  rows: number,
  columns: number,
): Record<string, unknown> {
  if (options.bits === 8) {
    const eight = pixels instanceof Uint8Array ? pixels : Uint8Array.from(pixels);
    const jpeg = options.transferSyntax === 'jpeg-baseline';
    const frame = jpeg
      ? encodeGrayscaleJpeg(eight, columns, rows, options.jpegQuality ?? 90)
      : evenLength(eight);
    return {
      BitsAllocated: 8,
      BitsStored: 8,
      HighBit: 7,
      PixelRepresentation: 0,
      WindowCenter: 128,
      WindowWidth: 256,
      ...(jpeg
        ? {
            LossyImageCompression: '01',
            LossyImageCompressionRatio: round(eight.length / frame.length, 2),
            LossyImageCompressionMethod: 'ISO_10918_1',
          }
        : {}),
      PixelData: [frame.buffer],
      _vrMap: { PixelData: 'OB' },
    };
  }
  const signed = options.signed ?? false;
  const data = new DataView(new ArrayBuffer(pixels.length * 2));
  for (const [i, hu] of pixels.entries()) {
    if (signed) data.setInt16(i * 2, hu, true);
    else data.setUint16(i * 2, hu + 1024, true);
  }
  return {
    BitsAllocated: 16,
    BitsStored: signed ? 16 : 12,
    HighBit: signed ? 15 : 11,
    PixelRepresentation: signed ? 1 : 0,
    WindowCenter: 40,
    WindowWidth: 400,
    RescaleIntercept: signed ? 0 : -1024,
    RescaleSlope: 1,
    RescaleType: 'HU',
    PixelData: [data.buffer],
    _vrMap: { PixelData: 'OW' },
  };
}

/** Pixel data of odd length gets a zero byte, as every DICOM value must be of even length. */
function evenLength(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(bytes.length + (bytes.length % 2));
  out.set(bytes);
  return out;
}

function round(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
