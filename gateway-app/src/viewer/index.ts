/**
 * A DOM-free DICOM viewer core: parsing with dicom-parser, decoding of native and JPEG baseline pixel
 * data to modality values, and window/level to RGBA pixels the UI draws on a canvas. It runs unchanged in
 * the browser (and in a worker); JPEG decoding is injected, so the browser can use its own decoder.
 *
 * @packageDocumentation
 */

export {
  type DecodedFrame,
  type GrayFrame,
  type JpegDecoder,
  type RgbFrame,
  decodeFrame,
} from './decode-frame';
export type { DicomImage, DicomTags, ImageAttributes, PixelDataLocation } from './dicom-image';
export { ViewerError, type ViewerErrorCode, type ViewerErrorOptions } from './errors';
export { formatDicomDate, formatDicomTime, formatPersonName } from './format';
export { parseDicom, readDicomTags } from './parse-dicom';
export { type SliceKey, sortSlices } from './sort-slices';
export { TRANSFER_SYNTAX, describeTransferSyntax, isSupportedTransferSyntax } from './transfer-syntax';
export { type WindowLevel, defaultWindow, renderWindowLevel } from './window-level';
