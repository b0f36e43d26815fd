/**
 * A DOM-free DICOM viewer core: parsing with dicom-parser, decoding of every common transfer syntax to
 * modality values or RGB, and window/level to RGBA pixels the UI draws on a canvas. It runs unchanged in
 * the browser (and in a worker) and in Node. Compressed frames go through an injected {@link FrameCodec};
 * `./native-codecs` loads the WebAssembly decoders, apart so that pages load them only when needed.
 *
 * @packageDocumentation
 */

export { type DecodedFrame, type GrayFrame, type RgbFrame, decodeFrame } from './decode-frame';
export type {
  DicomImage,
  DicomTags,
  ImageAttributes,
  LookupTable,
  PixelDataLocation,
  WindowPreset,
} from './dicom-image';
export { type EncapsulatedDocument, readEncapsulatedDocument } from './encapsulated-document';
export { ViewerError, type ViewerErrorCode, type ViewerErrorOptions } from './errors';
export { formatDicomDate, formatDicomTime, formatPersonName } from './format';
export type { DecodedSamples, EncodedFrame, FrameCodec } from './frame-codec';
export {
  type ImagePoint,
  type Length,
  type PixelReading,
  formatReading,
  measureLength,
  readPixel,
} from './measure';
export { hasDicomPrefix, parseDicom, readDicomTags, readDicomText } from './parse-dicom';
export { type SliceKey, sortSlices } from './sort-slices';
export {
  type PixelEncoding,
  TRANSFER_SYNTAX,
  describeTransferSyntax,
  isSupportedTransferSyntax,
  pixelEncodingOf,
} from './transfer-syntax';
export { type WindowLevel, defaultWindow, renderVoiLut, renderWindowLevel } from './window-level';
