import { Context, NativeCodecs } from 'dcmjs-codecs';
import type { DecodedSamples, EncodedFrame, FrameCodec } from './frame-codec';

/**
 * The decoders of dcmjs-codecs, one WebAssembly module built from the native libraries PACS use: IJG
 * libjpeg with its 12-bit and lossless processes (JPEG baseline, extended and lossless), CharLS (JPEG-LS),
 * OpenJPEG (JPEG 2000), OpenJPH (HTJ2K), libjxl (JPEG XL), and an RLE decoder. We chose it over the
 * Cornerstone codecs because one module covers every syntax a PACS sends, the 12-bit JPEG extended process
 * and RLE included, which Cornerstone leaves to JavaScript decoders of its own; and because its JPEG
 * decoder is told whether to convert colour, so an RGB JPEG is not taken for YCbCr.
 */
const YBR = new Set(['YBR_FULL', 'YBR_FULL_422', 'YBR_PARTIAL_422', 'YBR_PARTIAL_420']);

let loaded: Promise<FrameCodec> | undefined;

/**
 * Loads the decoders from the bytes of `dcmjs-native-codecs.wasm` (read from the package in Node, fetched
 * from the page's own origin in the browser) and returns a {@link FrameCodec}. The module is loaded once;
 * later calls return the same codec. In the browser it needs `'wasm-unsafe-eval'` in the CSP's
 * script-src, and nothing more.
 */
export function loadNativeCodecs(wasm: () => Promise<ArrayBuffer>): Promise<FrameCodec> {
  loaded ??= (async () => {
    const bytes = await wasm();
    // The package would fetch the module itself through eval("fetch(…)"), which a strict CSP refuses;
    // handing it the bytes keeps eval out of the page.
    (NativeCodecs as unknown as { _getWebAssemblyBytes: () => Promise<ArrayBuffer> })._getWebAssemblyBytes =
      () => Promise.resolve(bytes);
    await NativeCodecs.initializeAsync();
    return decodeWithNativeCodecs;
  })();
  loaded.catch(() => {
    loaded = undefined;
  });
  return loaded;
}

function decodeWithNativeCodecs({ encoding, bytes, image }: EncodedFrame): DecodedSamples {
  const context = new Context({
    width: image.columns,
    height: image.rows,
    bitsAllocated: image.bitsAllocated,
    bitsStored: image.bitsStored,
    samplesPerPixel: image.samplesPerPixel,
    pixelRepresentation: image.pixelRepresentation,
    planarConfiguration: image.planarConfiguration,
    photometricInterpretation: image.photometricInterpretation,
    encodedBuffer: bytes,
  });
  const convertColorspaceToRgb = YBR.has(image.photometricInterpretation);
  let decoded: Context;
  switch (encoding) {
    case 'rle':
      decoded = NativeCodecs.decodeRle(context);
      break;
    case 'jpeg':
      decoded = NativeCodecs.decodeJpeg(context, { convertColorspaceToRgb });
      break;
    case 'jpeg-ls':
      decoded = NativeCodecs.decodeJpegLs(context);
      break;
    case 'jpeg-2000':
      decoded = NativeCodecs.decodeJpeg2000(context);
      break;
    case 'htj2k':
      decoded = NativeCodecs.decodeHtJpeg2000(context);
      break;
    case 'jpeg-xl':
      decoded = NativeCodecs.decodeJpegXl(context);
      break;
  }
  const out = decoded.getDecodedBuffer();
  if (out === undefined) throw new Error(`the ${encoding} decoder returned no samples`);
  return {
    bytes: out,
    photometricInterpretation: decoded.getPhotometricInterpretation() ?? image.photometricInterpretation,
    planarConfiguration: decoded.getPlanarConfiguration() ?? image.planarConfiguration,
  };
}
