import * as dicomParser from 'dicom-parser';
import { inflateSync } from 'fflate';
import type { DicomImage, DicomTags, ImageAttributes, PixelDataLocation } from './dicom-image';
import { ViewerError } from './errors';
import { imageAttributes } from './image-attributes';
import {
  TRANSFER_SYNTAX,
  describeTransferSyntax,
  isSupportedTransferSyntax,
  pixelEncodingOf,
} from './transfer-syntax';

const PREAMBLE_SIZE = 128;
const PIXEL_DATA = 'x7fe00010';

const latin1Decoder = new TextDecoder('latin1');
const latin1 = (bytes: Uint8Array): string => latin1Decoder.decode(bytes);
const utf8Decoder = new TextDecoder('utf-8');

/** Whether bytes begin as a DICOM Part 10 file: a 128-byte preamble, then `DICM`. */
export function hasDicomPrefix(bytes: Uint8Array): boolean {
  return (
    bytes.length >= PREAMBLE_SIZE + 4 && latin1(bytes.subarray(PREAMBLE_SIZE, PREAMBLE_SIZE + 4)) === 'DICM'
  );
}

/**
 * Reads the tags a viewer lists about a DICOM Part 10 file, whatever it holds and however its pixel data
 * is encoded: the UI can name a study even when it cannot show its images.
 *
 * @throws {@link ViewerError} `NOT_DICOM` if the bytes are not a DICOM Part 10 file or cannot be parsed.
 */
export function readDicomTags(bytes: Uint8Array): DicomTags {
  return tagsOf(parseDataSet(bytes).dataSet);
}

/**
 * Parses a DICOM Part 10 file into an image the viewer can decode with {@link decodeFrame}. A deflated
 * data set is inflated first, so the image's `bytes` are then the inflated file.
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
  const littleEndian = transferSyntaxUid !== TRANSFER_SYNTAX.explicitBigEndian;
  return {
    ...tagsOf(dataSet),
    ...attributes,
    bytes: dataSet.byteArray,
    littleEndian,
    pixelData: pixelDataLocation(element, attributes, littleEndian),
  };
}

function parseDataSet(bytes: Uint8Array): { dataSet: dicomParser.DataSet; transferSyntaxUid: string } {
  if (!hasDicomPrefix(bytes)) throw new ViewerError('NOT_DICOM', 'the file is not a DICOM Part 10 file');
  let transferSyntaxUid: string | undefined;
  try {
    transferSyntaxUid = dicomParser.readPart10Header(bytes).string('x00020010');
  } catch (cause) {
    throw new ViewerError('NOT_DICOM', 'the DICOM file meta information cannot be parsed', { cause });
  }
  if (transferSyntaxUid === undefined) {
    throw new ViewerError('NOT_DICOM', 'the DICOM file names no transfer syntax');
  }
  try {
    return { dataSet: dicomParser.parseDicom(bytes, { inflater }), transferSyntaxUid };
  } catch (cause) {
    if (cause instanceof ViewerError) throw cause;
    throw new ViewerError('NOT_DICOM', 'the DICOM data set cannot be parsed', { cause });
  }
}

/**
 * Inflates a deflated data set (PS3.5 A.5) for dicom-parser, which then reads it as explicit VR little
 * endian: the file's bytes up to `position` (the meta information), then the inflated data set. fflate
 * runs in the browser too, where dicom-parser has no zlib of its own.
 */
const inflater = ((bytes: Uint8Array, position: number): Uint8Array<ArrayBuffer> => {
  let dataSet: Uint8Array;
  try {
    dataSet = inflateSync(bytes.subarray(position));
  } catch (cause) {
    throw new ViewerError('NOT_DICOM', 'the deflated DICOM data set does not inflate', { cause });
  }
  const out = new Uint8Array(position + dataSet.length);
  out.set(bytes.subarray(0, position));
  out.set(dataSet, position);
  return out;
  // dicom-parser's typings say the inflater returns nothing; it uses the array returned.
}) as unknown as NonNullable<dicomParser.ParseDicomOptions['inflater']>;

/**
 * A reader of the top-level text attributes of a DICOM Part 10 file by dicom-parser tag (`x00080060`),
 * trimmed, undefined when absent or empty: what the DICOM edge routes and groups studies by.
 *
 * @throws {@link ViewerError} `NOT_DICOM` if the bytes are not a DICOM Part 10 file or cannot be parsed.
 */
export function readDicomText(bytes: Uint8Array): (tag: string) => string | undefined {
  return textReader(parseDataSet(bytes).dataSet);
}

function textReader(dataSet: dicomParser.DataSet): (tag: string) => string | undefined {
  const charset = dataSet.string('x00080005') ?? '';
  // ISO_IR 192 is UTF-8; the default repertoire and the Latin ones are read byte for byte, as Latin-1.
  const decode = charset.includes('ISO_IR 192') ? (b: Uint8Array) => utf8Decoder.decode(b) : latin1;
  return (tag: string): string | undefined => {
    const element = dataSet.elements[tag];
    if (element === undefined || element.length === 0 || element.items !== undefined) return undefined;
    const bytes = dataSet.byteArray.subarray(element.dataOffset, element.dataOffset + element.length);
    const value = decode(bytes)
      .replace(/[\0 ]+$/, '')
      .replace(/^ +/, '');
    return value === '' ? undefined : value;
  };
}

function tagsOf(dataSet: dicomParser.DataSet): DicomTags {
  const text = textReader(dataSet);
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
    imagePositionPatient: decimals(dataSet, 'x00200032', 3) as DicomTags['imagePositionPatient'],
    imageOrientationPatient: decimals(dataSet, 'x00200037', 6) as DicomTags['imageOrientationPatient'],
    pixelSpacing: (decimals(dataSet, 'x00280030', 2) ?? decimals(dataSet, 'x00181164', 2)) as
      DicomTags['pixelSpacing'] | undefined,
  };
}

/** A multi-valued decimal string of exactly `count` finite values, or `undefined`. */
function decimals(dataSet: dicomParser.DataSet, tag: string, count: number): number[] | undefined {
  const values = Array.from({ length: count }, (_, i) => finite(dataSet.floatString(tag, i)));
  return values.every((v) => v !== undefined) ? values : undefined;
}

function pixelDataLocation(
  element: dicomParser.Element,
  image: ImageAttributes,
  littleEndian: boolean,
): PixelDataLocation {
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
  if (pixelEncodingOf(image.transferSyntaxUid) !== 'native') {
    throw new ViewerError('BAD_PIXEL_DATA', 'the compressed pixel data is not encapsulated');
  }
  const needed = Math.ceil((frameBits(image) * image.numberOfFrames) / 8);
  if (element.length < needed) {
    throw new ViewerError('BAD_PIXEL_DATA', `the pixel data holds ${element.length} of ${needed} bytes`, {
      details: { length: element.length, needed },
    });
  }
  return {
    encapsulated: false,
    offset: element.dataOffset,
    length: element.length,
    swappedPairs: !littleEndian && element.vr === 'OW',
  };
}

/**
 * The bits one native frame takes: frames of 1-bit images are packed without padding, and the 4:2:2
 * colour models store two samples a pixel (two lumas share one pair of chromas).
 */
export function frameBits(image: ImageAttributes): number {
  const pixels = image.rows * image.columns;
  const samples = image.photometricInterpretation.endsWith('_422')
    ? pixels * 2
    : pixels * image.samplesPerPixel;
  return samples * image.bitsAllocated;
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
