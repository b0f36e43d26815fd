import type * as dicomParser from 'dicom-parser';
import type { ImageAttributes, WindowPreset } from './dicom-image';
import { ViewerError } from './errors';
import { readLookupTable } from './lookup-table';
import { pixelEncodingOf } from './transfer-syntax';

const MONOCHROME = new Set(['MONOCHROME1', 'MONOCHROME2', 'PALETTE COLOR']);
/** Colour models stored uncompressed (PS3.3 C.7.6.3.1.2); YBR_ICT and YBR_RCT exist only in JPEG 2000. */
const NATIVE_COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_422']);
const JPEG_2000_COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_ICT', 'YBR_RCT']);
const COMPRESSED_COLOUR = new Set(['RGB', 'YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_422', 'YBR_PARTIAL_420']);

/**
 * The Image Pixel, Modality LUT and VOI LUT attributes of a data set, checked against what the decoders
 * handle: 1, 8, 16 or 32 bits allocated; grey, palette and the colour models of PS3.3 C.7.6.3.1.2.
 *
 * @throws {@link ViewerError} `UNSUPPORTED_FORMAT` naming what the viewer cannot show.
 */
export function imageAttributes(dataSet: dicomParser.DataSet, transferSyntaxUid: string): ImageAttributes {
  const unsupported = (why: string): ViewerError =>
    new ViewerError('UNSUPPORTED_FORMAT', `the viewer cannot show an image ${why}`);
  const rows = dataSet.uint16('x00280010');
  const columns = dataSet.uint16('x00280011');
  const bitsAllocated = dataSet.uint16('x00280100');
  if (!rows || !columns || bitsAllocated === undefined) {
    throw unsupported('without rows, columns and bits allocated');
  }
  const bitsStored = dataSet.uint16('x00280101') ?? bitsAllocated;
  const highBit = dataSet.uint16('x00280102') ?? bitsStored - 1;
  const samplesPerPixel = dataSet.uint16('x00280002') ?? 1;
  const pixelRepresentation = dataSet.uint16('x00280103') ?? 0;
  const photometricInterpretation =
    dataSet.string('x00280004')?.trim().toUpperCase() ?? (samplesPerPixel === 1 ? 'MONOCHROME2' : 'RGB');
  const encoding = pixelEncodingOf(transferSyntaxUid);

  if (![1, 8, 16, 32].includes(bitsAllocated)) throw unsupported(`of ${bitsAllocated}-bit samples`);
  if (bitsStored < 1 || bitsStored > bitsAllocated || highBit < bitsStored - 1 || highBit >= bitsAllocated) {
    throw unsupported(`whose bits stored (${bitsStored}) and high bit (${highBit}) do not fit`);
  }
  if (samplesPerPixel === 1) {
    if (!MONOCHROME.has(photometricInterpretation)) throw unsupported(`in ${photometricInterpretation}`);
  } else if (samplesPerPixel === 3) {
    const allowed =
      encoding === 'native'
        ? NATIVE_COLOUR
        : encoding === 'jpeg-2000' || encoding === 'htj2k'
          ? JPEG_2000_COLOUR
          : COMPRESSED_COLOUR;
    if (bitsAllocated === 1 || bitsAllocated === 32 || !allowed.has(photometricInterpretation)) {
      throw unsupported(`in ${bitsAllocated}-bit ${photometricInterpretation}`);
    }
  } else {
    throw unsupported(`of ${samplesPerPixel} samples per pixel`);
  }
  if (bitsAllocated === 1 && (encoding !== 'native' || photometricInterpretation === 'PALETTE COLOR')) {
    throw unsupported('of 1-bit samples that are not plain uncompressed grey');
  }

  const signed = pixelRepresentation === 1;
  const palette = photometricInterpretation === 'PALETTE COLOR' ? paletteOf(dataSet, signed) : undefined;
  if (photometricInterpretation === 'PALETTE COLOR' && palette === undefined) {
    throw unsupported('in PALETTE COLOR without red, green and blue lookup tables (segmented ones included)');
  }
  const numberOfFrames = dataSet.intString('x00280008') ?? 1;
  if (!Number.isInteger(numberOfFrames) || numberOfFrames < 1) throw unsupported('with no frames');
  const rescaleSlope = finite(dataSet.floatString('x00281053')) ?? 1;
  const windowPresets = windowsOf(dataSet);
  return {
    rows,
    columns,
    bitsAllocated,
    bitsStored,
    highBit,
    pixelRepresentation,
    samplesPerPixel,
    photometricInterpretation,
    planarConfiguration: dataSet.uint16('x00280006') ?? 0,
    rescaleSlope: rescaleSlope === 0 ? 1 : rescaleSlope,
    rescaleIntercept: finite(dataSet.floatString('x00281052')) ?? 0,
    windowCenter: windowPresets[0]?.center,
    windowWidth: windowPresets[0]?.width,
    windowPresets,
    voiLut: voiLutOf(dataSet, signed),
    palette,
    numberOfFrames,
    transferSyntaxUid,
  };
}

/** The windows of Window Center (0028,1050) and Width (0028,1051), with their explanations (0028,1055). */
function windowsOf(dataSet: dicomParser.DataSet): WindowPreset[] {
  const count = Math.min(
    dataSet.numStringValues('x00281050') ?? 0,
    dataSet.numStringValues('x00281051') ?? 0,
  );
  const explanations = (dataSet.string('x00281055') ?? '').split('\\');
  const presets: WindowPreset[] = [];
  for (let i = 0; i < count; i++) {
    const center = finite(dataSet.floatString('x00281050', i));
    const width = finite(dataSet.floatString('x00281051', i));
    if (center === undefined || width === undefined || width < 1) continue;
    const explanation = explanations[i]?.trim();
    presets.push({ center, width, explanation: explanation === '' ? undefined : explanation });
  }
  return presets;
}

/** The first item of the VOI LUT Sequence (0028,3010). */
function voiLutOf(dataSet: dicomParser.DataSet, signed: boolean) {
  const item = dataSet.elements.x00283010?.items?.[0]?.dataSet;
  return item === undefined ? undefined : readLookupTable(item, 'x00283002', 'x00283006', signed);
}

function paletteOf(dataSet: dicomParser.DataSet, signed: boolean) {
  const red = readLookupTable(dataSet, 'x00281101', 'x00281201', signed);
  const green = readLookupTable(dataSet, 'x00281102', 'x00281202', signed);
  const blue = readLookupTable(dataSet, 'x00281103', 'x00281203', signed);
  return red && green && blue ? { red, green, blue } : undefined;
}

function finite(value: number | undefined): number | undefined {
  return value !== undefined && Number.isFinite(value) ? value : undefined;
}
