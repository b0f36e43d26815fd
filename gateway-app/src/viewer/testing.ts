// Helpers for the tests of this folder and of the study folder. Node only; not exported by index.ts.
import * as dcmjs from 'dcmjs';
import { readFile } from 'node:fs/promises';
import type { FrameCodec } from './frame-codec';
import { loadNativeCodecs } from './native-codecs';

/** The WebAssembly decoders as the browser has them, read from the package's file. */
export function nodeCodec(): Promise<FrameCodec> {
  return loadNativeCodecs(async () => {
    const file = await readFile(require.resolve('dcmjs-codecs/build/dcmjs-native-codecs.wasm'));
    return file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength);
  });
}

/**
 * A DICOM Part 10 file of a data set given by attribute keywords, in a transfer syntax; binary values are
 * written as given (dcmjs does not swap bytes for big endian).
 */
export function writeDicom(
  dataset: Record<string, unknown>,
  transferSyntaxUid: string,
): Uint8Array<ArrayBuffer> {
  const meta = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    FileMetaInformationVersion: Uint8Array.of(0, 1).buffer,
    MediaStorageSOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    MediaStorageSOPInstanceUID: '2.25.1',
    TransferSyntaxUID: transferSyntaxUid,
    ImplementationClassUID: '2.25.2',
  });
  const dict = new dcmjs.data.DicomDict(meta);
  dict.dict = dcmjs.data.DicomMetaDictionary.denaturalizeDataset({
    SOPClassUID: '1.2.840.10008.5.1.4.1.1.7',
    SOPInstanceUID: '2.25.1',
    ...dataset,
  });
  return new Uint8Array(dict.write({ fragmentMultiframe: false }));
}

/**
 * The data set of a 16-bit unsigned MONOCHROME2 image of `rows` × `columns` with `pixels` as its pixel data
 * (OW), for {@link writeDicom}; `extra` adds or overrides attributes.
 */
export function monochrome16(
  rows: number,
  columns: number,
  pixels: ArrayBuffer,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    Rows: rows,
    Columns: columns,
    BitsAllocated: 16,
    BitsStored: 16,
    HighBit: 15,
    PixelRepresentation: 0,
    SamplesPerPixel: 1,
    PhotometricInterpretation: 'MONOCHROME2',
    PixelData: [pixels],
    _vrMap: { PixelData: 'OW' },
    ...extra,
  };
}

/** Replaces every occurrence of one ASCII string by another of the same length, as a corrupted copy. */
export function replaceAscii(bytes: Uint8Array, from: string, to: string): Uint8Array<ArrayBuffer> {
  if (from.length !== to.length) throw new RangeError('the replacement must keep the length');
  const out = bytes.slice();
  const needle = Array.from(from, (c) => c.charCodeAt(0));
  for (let i = 0; i + needle.length <= out.length; i++) {
    if (needle.every((b, j) => out[i + j] === b)) {
      for (const [j, c] of Array.from(to).entries()) out[i + j] = c.charCodeAt(0);
    }
  }
  return out;
}
