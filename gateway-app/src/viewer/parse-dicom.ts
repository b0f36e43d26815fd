import * as dicomParser from 'dicom-parser';
import type { DicomImage, DicomTags, ImageAttributes, PixelDataLocation } from './dicom-image';
import { ViewerError } from './errors';
import { TRANSFER_SYNTAX, describeTransferSyntax, isSupportedTransferSyntax } from './transfer-syntax';

const PREAMBLE_SIZE = 128;
const PIXEL_DATA = 'x7fe00010';
const MONOCHROME = new Set(['MONOCHROME1', 'MONOCHROME2']);
const NATIVE_COLOUR = new Set(['RGB', 'YBR_FULL']);
const JPEG_COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422']);

const latin1Decoder = new TextDecoder('latin1');
const latin1 = (bytes: Uint8Array): string => latin1Decoder.decode(bytes);
const utf8Decoder = new TextDecoder('utf-8');

/**
 * Reads the tags a viewer lists about a DICOM Part 10 file, whatever it holds and however its pixel data
 * is encoded: the UI can name a study even when it cannot show its images.
 *
 * @throws {@link ViewerError} `NOT_DICOM` if the bytes are not a DICOM Part 10 file or cannot be parsed,
 *   `UNSUPPORTED_TRANSFER_SYNTAX` for a deflated data set.
 */
export function readDicomTags(bytes: Uint8Array): DicomTags {
  return tagsOf(parseDataSet(bytes).dataSet);
}

/**
 * Parses a DICOM Part 10 file into an image the viewer can decode with {@link decodeFrame}.
 *
 * @throws {@link ViewerError} `NOT_DICOM`, `NO_PIXEL_DATA`, `UNSUPPORTED_TRANSFER_SYNTAX` (the message
 *   names the syntax), `UNSUPPORTED_FORMAT`, or `BAD_PIXEL_DATA` if the native pixel data is too short.
 */
export function parseDicom(bytes: Uint8Array): DicomImage {
  const { dataSet, transferSyntaxUid } = parseDataSet(bytes);
  const element = dataSet.elements[PIXEL_DATA];
  if (element === undefined) throw new ViewerError('NO_PIXEL_DATA', 'the DICOM file holds no pixel data');
  if (!isSupportedTransferSyntax(transferSyntaxUid)) {
    throw new ViewerError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `the viewer cannot decode ${describeTransferSyntax(transferSyntaxUid)}`,
      { details: { transferSyntaxUid } },
    );
  }
  const attributes = imageAttributes(dataSet, transferSyntaxUid);
  const pixelData = pixelDataLocation(element, attributes);
  return {
    ...tagsOf(dataSet),
    ...attributes,
    bytes,
    littleEndian: transferSyntaxUid !== TRANSFER_SYNTAX.explicitBigEndian,
    pixelData,
  };
}

function parseDataSet(bytes: Uint8Array): { dataSet: dicomParser.DataSet; transferSyntaxUid: string } {
  if (
    bytes.length < PREAMBLE_SIZE + 4 ||
    latin1(bytes.subarray(PREAMBLE_SIZE, PREAMBLE_SIZE + 4)) !== 'DICM'
  ) {
    throw new ViewerError('NOT_DICOM', 'the file is not a DICOM Part 10 file');
  }
  let transferSyntaxUid: string | undefined;
  try {
    transferSyntaxUid = dicomParser.readPart10Header(bytes).string('x00020010');
  } catch (cause) {
    throw new ViewerError('NOT_DICOM', 'the DICOM file meta information cannot be parsed', { cause });
  }
  if (transferSyntaxUid === undefined) {
    throw new ViewerError('NOT_DICOM', 'the DICOM file names no transfer syntax');
  }
  // dicom-parser would need zlib to inflate the data set, which the browser build does not have.
  if (transferSyntaxUid === '1.2.840.10008.1.2.1.99') {
    throw new ViewerError(
      'UNSUPPORTED_TRANSFER_SYNTAX',
      `the viewer cannot decode ${describeTransferSyntax(transferSyntaxUid)}`,
      { details: { transferSyntaxUid } },
    );
  }
  try {
    return { dataSet: dicomParser.parseDicom(bytes), transferSyntaxUid };
  } catch (cause) {
    throw new ViewerError('NOT_DICOM', 'the DICOM data set cannot be parsed', { cause });
  }
}

function tagsOf(dataSet: dicomParser.DataSet): DicomTags {
  const charset = dataSet.string('x00080005') ?? '';
  // ISO_IR 192 is UTF-8; the default repertoire and the Latin ones are read byte for byte, as Latin-1.
  const decode = charset.includes('ISO_IR 192') ? (b: Uint8Array) => utf8Decoder.decode(b) : latin1;
  const text = (tag: string): string | undefined => {
    const element = dataSet.elements[tag];
    if (element === undefined || element.length === 0) return undefined;
    const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
    const value = decode(bytes)
      .replace(/[\0 ]+$/, '')
      .replace(/^ +/, '');
    return value === '' ? undefined : value;
  };
  return {
    patientName: text('x00100010'),
    patientId: text('x00100020'),
    patientBirthDate: text('x00100030'),
    patientSex: text('x00100040'),
    studyDate: text('x00080020'),
    studyTime: text('x00080030'),
    studyDescription: text('x00081030'),
    seriesDescription: text('x0008103e'),
    modality: text('x00080060'),
    institutionName: text('x00080080'),
    studyInstanceUid: text('x0020000d'),
    seriesInstanceUid: text('x0020000e'),
    sopInstanceUid: text('x00080018'),
    instanceNumber: finite(dataSet.intString('x00200013')),
    sliceLocation: finite(dataSet.floatString('x00201041')),
  };
}

function imageAttributes(dataSet: dicomParser.DataSet, transferSyntaxUid: string): ImageAttributes {
  const unsupported = (why: string): ViewerError =>
    new ViewerError('UNSUPPORTED_FORMAT', `the viewer cannot show an image ${why}`);
  const rows = dataSet.uint16('x00280010');
  const columns = dataSet.uint16('x00280011');
  const bitsAllocated = dataSet.uint16('x00280100');
  if (
    rows === undefined ||
    columns === undefined ||
    bitsAllocated === undefined ||
    rows === 0 ||
    columns === 0
  ) {
    throw unsupported('without rows, columns and bits allocated');
  }
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const photometricInterpretation =
    dataSet.string('x00280004')?.trim().toUpperCase() ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB');
  const jpeg = transferSyntaxUid === TRANSFER_SYNTAX.jpegBaseline;

  if (bitsAllocated !== 8 && bitsAllocated !== 16) throw unsupported(`of ${bitsAllocated}-bit samples`);
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw unsupported(`whose bits stored (${bitsStored}) and high bit (${highBit}) do not fit`);
  }
  if (samplesPerPixel === 1) {
    if (!MONOCHROME.has(photometricInterpretation)) throw unsupported(`in ${photometricInterpretation}`);
  } else if (samplesPerPixel === 3) {
    const allowed = jpeg ? JPEG_COLOUR : NATIVE_COLOUR;
    if (bitsAllocated !== 8 || !allowed.has(photometricInterpretation)) {
      throw unsupported(`in ${bitsAllocated}-bit ${photometricInterpretation}`);
    }
  } else {
    throw unsupported(`of ${samplesPerPixel} samples per pixel`);
  }
  if (jpeg && bitsAllocated !== 8) throw unsupported('of more than 8 bits in JPEG baseline');

  const numberOfFrames = dataSet.intString('x00280008') ?? 1;
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1) throw unsupported('with no frames');
  const rescaleSlope = finite(dataSet.floatString('x00281053')) ?? 1;
  return {
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation: dataSet.uint16('x00280103') ?? 0,
    samplesPerPixel,
    photometricInterpretation,
    planarConfiguration: dataSet.uint16('x00280006') ?? 0,
    rescaleSlope: rescaleSlope === 0 ? 1 : rescaleSlope,
    rescaleIntercept: finite(dataSet.floatString('x00281052')) ?? 0,
    windowCenter: finite(dataSet.floatString('x00281050')),
    windowWidth: finite(dataSet.floatString('x00281051')),
    numberOfFrames,
    transferSyntaxUid,
  };
}

function pixelDataLocation(element: dicomParser.Element, image: ImageAttributes): PixelDataLocation {
  if (element.encapsulatedPixelData === true) {
    return {
      encapsulated: true,
      fragments: (element.fragments ?? []).map(({ offset, position, length }) => ({
        offset,
        position,
        length,
      })),
      basicOffsetTable: [...(element.basicOffsetTable ?? [])],
    };
  }
  if (image.transferSyntaxUid === TRANSFER_SYNTAX.jpegBaseline) {
    throw new ViewerError('BAD_PIXEL_DATA', 'the JPEG pixel data is not encapsulated');
  }
  const needed = frameSize(image) * image.numberOfFrames;
  if (element.length < needed) {
    throw new ViewerError('BAD_PIXEL_DATA', `the pixel data holds ${element.length} of ${needed} bytes`, {
      details: { length: element.length, needed },
    });
  }
  return { encapsulated: false, offset: element.dataOffset, length: element.length };
}

/** The bytes one native frame takes. */
export function frameSize(image: ImageAttributes): number {
  return image.rows * image.columns * image.samplesPerPixel * (image.bitsAllocated / 8);
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
