import type { ImageAttributes } from './dicom-image';
import type { PixelEncoding } from './transfer-syntax';

/** One compressed frame, with the attributes a decoder needs to know what it holds. */
export interface EncodedFrame {
  readonly encoding: Exclude<PixelEncoding, 'native'>;
  /** The frame's compressed bytes: its fragments joined. */
  readonly bytes: Uint8Array;
  readonly image: Pick<
    ImageAttributes,
    | 'rows'
    | 'columns'
    | 'bitsAllocated'
    | 'bitsStored'
    | 'pixelRepresentation'
    | 'samplesPerPixel'
    | 'planarConfiguration'
    | 'photometricInterpretation'
  >;
}

/**
 * A decoded frame as native samples: little endian, `bitsAllocated` bits each, in the colour model and
 * planar configuration the decoder says (a JPEG decoder turns YBR into RGB, for instance).
 */
export interface DecodedSamples {
  readonly bytes: Uint8Array;
  readonly photometricInterpretation: string;
  readonly planarConfiguration: number;
}

/**
 * Decodes compressed frames into native samples. Injected into {@link decodeFrame}, so that the browser
 * and Node load the same decoders their own way (see {@link loadNativeCodecs}) and unit tests can run
 * without them.
 */
export type FrameCodec = (frame: EncodedFrame) => DecodedSamples | Promise<DecodedSamples>;
