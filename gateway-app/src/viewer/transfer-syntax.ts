/**
 * How a transfer syntax's pixel data is encoded, which says which decoder a frame goes to:
 * - `native`: uncompressed samples (implicit and explicit VR little endian, explicit big endian, and the
 *   deflated syntax once its data set is inflated);
 * - `rle`, `jpeg` (baseline, extended and lossless; one IJG libjpeg handles them all), `jpeg-ls`,
 *   `jpeg-2000`, `htj2k` and `jpeg-xl`: encapsulated frames, decoded by a {@link FrameCodec}.
 */
export type PixelEncoding = 'native' | 'rle' | 'jpeg' | 'jpeg-ls' | 'jpeg-2000' | 'htj2k' | 'jpeg-xl';

/** A transfer syntax the viewer decodes: its name and how its pixel data is encoded. */
interface KnownSyntax {
  readonly name: string;
  readonly encoding: PixelEncoding | undefined;
}

/** The transfer syntaxes met in practice; those without an encoding are named in messages but not decoded. */
const SYNTAXES: Readonly<Record<string, KnownSyntax>> = {
  '1.2.840.10008.1.2': { name: 'Implicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1': { name: 'Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.1.99': { name: 'Deflated Explicit VR Little Endian', encoding: 'native' },
  '1.2.840.10008.1.2.2': { name: 'Explicit VR Big Endian', encoding: 'native' },
  '1.2.840.10008.1.2.5': { name: 'RLE Lossless', encoding: 'rle' },
  '1.2.840.10008.1.2.4.50': { name: 'JPEG Baseline (Process 1)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.51': { name: 'JPEG Extended (Process 2 & 4)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.57': { name: 'JPEG Lossless (Process 14)', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.70': { name: 'JPEG Lossless, First-Order Prediction', encoding: 'jpeg' },
  '1.2.840.10008.1.2.4.80': { name: 'JPEG-LS Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.81': { name: 'JPEG-LS Near-Lossless', encoding: 'jpeg-ls' },
  '1.2.840.10008.1.2.4.90': { name: 'JPEG 2000 (Lossless Only)', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.91': { name: 'JPEG 2000', encoding: 'jpeg-2000' },
  '1.2.840.10008.1.2.4.201': { name: 'High-Throughput JPEG 2000 (Lossless Only)', encoding: 'htj2k' },
  '1.2.840.10008.1.2.4.202': {
    name: 'High-Throughput JPEG 2000 with RPCL Options (Lossless Only)',
    encoding: 'htj2k',
  },
  '1.2.840.10008.1.2.4.203': { name: 'High-Throughput JPEG 2000', encoding: 'htj2k' },
  '1.2.840.10008.1.2.4.110': { name: 'JPEG XL Lossless', encoding: 'jpeg-xl' },
  '1.2.840.10008.1.2.4.111': { name: 'JPEG XL JPEG Recompression', encoding: 'jpeg-xl' },
  '1.2.840.10008.1.2.4.112': { name: 'JPEG XL', encoding: 'jpeg-xl' },
  '1.2.840.10008.1.2.4.100': { name: 'MPEG2 Main Profile / Main Level', encoding: undefined },
  '1.2.840.10008.1.2.4.102': { name: 'MPEG-4 AVC/H.264 High Profile', encoding: undefined },
  '1.2.840.10008.1.2.4.107': { name: 'HEVC/H.265 Main Profile', encoding: undefined },
};

/** The transfer syntax UIDs the code names. */
export const TRANSFER_SYNTAX = {
  implicitLittleEndian: '1.2.840.10008.1.2',
  explicitLittleEndian: '1.2.840.10008.1.2.1',
  deflatedExplicitLittleEndian: '1.2.840.10008.1.2.1.99',
  explicitBigEndian: '1.2.840.10008.1.2.2',
  rleLossless: '1.2.840.10008.1.2.5',
  jpegBaseline: '1.2.840.10008.1.2.4.50',
} as const;

/** How pixel data in this transfer syntax is encoded, or `undefined` if the viewer cannot decode it. */
export function pixelEncodingOf(uid: string): PixelEncoding | undefined {
  return SYNTAXES[uid]?.encoding;
}

/** Whether the viewer decodes pixel data in this transfer syntax. */
export function isSupportedTransferSyntax(uid: string): boolean {
  return pixelEncodingOf(uid) !== undefined;
}

/** A transfer syntax as people read it: its name and UID, or the UID alone if it is not a known one. */
export function describeTransferSyntax(uid: string): string {
  const name = SYNTAXES[uid]?.name;
  return name === undefined ? uid : `${name} (${uid})`;
}
