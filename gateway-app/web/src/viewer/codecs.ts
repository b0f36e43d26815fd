import type { FrameCodec } from '../../../src/viewer';
import wasmUrl from 'dcmjs-codecs/build/dcmjs-native-codecs.wasm?url';

/**
 * The WebAssembly decoders for compressed frames (JPEG, JPEG-LS, JPEG 2000, HTJ2K, RLE), loaded on first
 * use from the gateway's own origin: the module and its 4 MB are fetched only for a compressed study.
 */
export async function frameCodec(): Promise<FrameCodec> {
  const { loadNativeCodecs } = await import('../../../src/viewer/native-codecs');
  return loadNativeCodecs(async () => {
    const response = await fetch(wasmUrl);
    if (!response.ok) throw new Error(`the image decoders did not load (HTTP ${response.status})`);
    return response.arrayBuffer();
  });
}
