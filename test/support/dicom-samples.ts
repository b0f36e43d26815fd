// Uncompressed DICOM sources for the codec conformance test: each kind of pixel data a PACS sends, written
// with dcmjs. The compressed forms are made from them by dcmtk, GDCM and OpenJPH, not by us.
import { syntheticStudy } from 'medshare-gateway-app';
import { writeDicom } from 'medshare-gateway-app/dist/viewer/testing';

/** An uncompressed source file and what it holds. */
export interface DicomSample {
  readonly name: string;
  readonly bytes: Uint8Array<ArrayBuffer>;
  readonly bitsStored: number;
  readonly colour: boolean;
  readonly signed?: boolean;
  readonly frames: number;
}

const EXPLICIT_LE = '1.2.840.10008.1.2.1';
const W = 40;
const H = 30;

/** A deterministic pattern: gradients, a disc and some texture, from 0 to 1. */
function pattern(x: number, y: number, frame = 0): number {
  const disc = (x - W / 2) ** 2 + (y - H / 2) ** 2 < (H / 3) ** 2 ? 0.35 : 0;
  const texture = ((x * 7 + y * 13 + frame * 5) % 11) / 40;
  return Math.min(1, (x / W) * 0.4 + (y / H) * 0.2 + disc + texture);
}

function grey(bits: 8 | 16 | 32, max: number, frames = 1, columns = W, rows = H): ArrayBuffer {
  const count = columns * rows;
  const out =
    bits === 8
      ? new Uint8Array(count * frames)
      : bits === 16
        ? new Uint16Array(count * frames)
        : new Uint32Array(count * frames);
  for (let f = 0; f < frames; f++) {
    for (let y = 0; y < rows; y++)
      for (let x = 0; x < columns; x++) out[f * count + y * columns + x] = Math.round(pattern(x, y, f) * max);
  }
  return out.buffer;
}

function rgb(planar: boolean): ArrayBuffer {
  const count = W * H;
  const out = new Uint8Array(count * 3);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const px = [
        Math.round(pattern(x, y) * 255),
        Math.round((x / W) * 255),
        Math.round(((y * 3 + x) % 64) * 4),
      ];
      for (let c = 0; c < 3; c++) out[planar ? c * count + i : i * 3 + c] = px[c] ?? 0;
    }
  }
  return out.buffer;
}

/** RGB turned into full-range YCbCr, interleaved, or in the 4:2:2 layout (Y1 Y2 Cb Cr a pair). */
function ybr(subsampled: boolean): ArrayBuffer {
  const source = new Uint8Array(rgb(false));
  const count = W * H;
  const ycc = (i: number) => {
    const [r = 0, g = 0, b = 0] = source.subarray(i * 3, i * 3 + 3);
    return [
      0.299 * r + 0.587 * g + 0.114 * b,
      -0.168736 * r - 0.331264 * g + 0.5 * b + 128,
      0.5 * r - 0.418688 * g - 0.081312 * b + 128,
    ].map((v) => Math.max(0, Math.min(255, Math.round(v))));
  };
  if (!subsampled) return new Uint8Array(Array.from({ length: count }, (_, i) => ycc(i)).flat()).buffer;
  const out: number[] = [];
  for (let i = 0; i < count; i += 2) {
    const [y1 = 0, cb1 = 0, cr1 = 0] = ycc(i);
    const [y2 = 0, cb2 = 0, cr2 = 0] = ycc(i + 1);
    out.push(y1, y2, Math.round((cb1 + cb2) / 2), Math.round((cr1 + cr2) / 2));
  }
  return new Uint8Array(out).buffer;
}

function bitPacked(columns: number, rows: number, frames: number): ArrayBuffer {
  const bits = columns * rows * frames;
  const out = new Uint8Array(Math.ceil(bits / 16) * 2);
  for (let i = 0; i < bits; i++) {
    const x = i % columns;
    const y = Math.floor(i / columns) % rows;
    if ((x + y + Math.floor(i / (columns * rows))) % 3 === 0)
      out[i >> 3] = (out[i >> 3] ?? 0) | (1 << (i & 7));
  }
  return out.buffer;
}

function lut(entries: number, f: (i: number) => number): ArrayBuffer {
  return Uint16Array.from({ length: entries }, (_, i) => f(i)).buffer;
}

const image = (bits: number, extra: Record<string, unknown>): Record<string, unknown> => ({
  Rows: H,
  Columns: W,
  BitsAllocated: bits,
  BitsStored: bits,
  HighBit: bits - 1,
  PixelRepresentation: 0,
  SamplesPerPixel: 1,
  PhotometricInterpretation: 'MONOCHROME2',
  Modality: 'OT',
  PatientName: 'SYNTHETIC^PATIENT',
  _vrMap: { PixelData: bits > 8 ? 'OW' : 'OB' },
  ...extra,
});

const sample = (
  name: string,
  dataset: Record<string, unknown>,
  facts: Omit<DicomSample, 'name' | 'bytes' | 'frames'> & { frames?: number },
): DicomSample => ({ name, bytes: writeDicom(dataset, EXPLICIT_LE), frames: 1, ...facts });

/** The sources: grey from 1 to 32 bits, signed and not, MONOCHROME1, colour models, palette, multi-frame. */
export function dicomSamples(): DicomSample[] {
  const [ct] = syntheticStudy({
    slices: 1,
    rows: 64,
    columns: 64,
    bits: 16,
    transferSyntax: 'explicit-le',
    signed: true,
  });
  const [mr] = syntheticStudy({
    slices: 1,
    rows: 64,
    columns: 64,
    bits: 16,
    transferSyntax: 'explicit-le',
    modality: 'MR',
  });
  if (!ct || !mr) throw new Error('no synthetic slice');
  return [
    { name: 'ct-signed-16', bytes: ct.bytes, bitsStored: 16, colour: false, signed: true, frames: 1 },
    { name: 'mr-unsigned-12', bytes: mr.bytes, bitsStored: 12, colour: false, frames: 1 },
    sample(
      'grey-8-monochrome1',
      image(8, { PhotometricInterpretation: 'MONOCHROME1', PixelData: [grey(8, 255)] }),
      {
        bitsStored: 8,
        colour: false,
      },
    ),
    sample('grey-8-multiframe', image(8, { NumberOfFrames: 3, PixelData: [grey(8, 250, 3)] }), {
      bitsStored: 8,
      colour: false,
      frames: 3,
    }),
    sample(
      'grey-10-in-16-voi-lut',
      image(16, {
        BitsStored: 10,
        HighBit: 9,
        PixelData: [grey(16, 1023)],
        VOILUTSequence: [
          {
            LUTDescriptor: [1024, 0, 12],
            LUTData: [lut(1024, (i) => Math.round(4095 * Math.sqrt(i / 1023)))],
            LUTExplanation: 'SQRT',
            _vrMap: { LUTDescriptor: 'US', LUTData: 'OW' },
          },
        ],
      }),
      { bitsStored: 10, colour: false },
    ),
    sample('grey-32-unsigned', image(32, { PixelData: [grey(32, 3_000_000)] }), {
      bitsStored: 32,
      colour: false,
    }),
    sample(
      'grey-1-bit-2-frames',
      image(1, {
        Columns: 13,
        Rows: 7,
        NumberOfFrames: 2,
        PixelData: [bitPacked(13, 7, 2)],
        _vrMap: { PixelData: 'OB' },
      }),
      { bitsStored: 1, colour: false, frames: 2 },
    ),
    sample(
      'rgb-planar-0',
      image(8, {
        SamplesPerPixel: 3,
        PhotometricInterpretation: 'RGB',
        PlanarConfiguration: 0,
        PixelData: [rgb(false)],
      }),
      {
        bitsStored: 8,
        colour: true,
      },
    ),
    sample(
      'rgb-planar-1',
      image(8, {
        SamplesPerPixel: 3,
        PhotometricInterpretation: 'RGB',
        PlanarConfiguration: 1,
        PixelData: [rgb(true)],
      }),
      {
        bitsStored: 8,
        colour: true,
      },
    ),
    sample(
      'ybr-full',
      image(8, {
        SamplesPerPixel: 3,
        PhotometricInterpretation: 'YBR_FULL',
        PlanarConfiguration: 0,
        PixelData: [ybr(false)],
      }),
      {
        bitsStored: 8,
        colour: true,
      },
    ),
    sample(
      'ybr-full-422',
      image(8, {
        SamplesPerPixel: 3,
        PhotometricInterpretation: 'YBR_FULL_422',
        PlanarConfiguration: 0,
        PixelData: [ybr(true)],
      }),
      { bitsStored: 8, colour: true },
    ),
    sample(
      'palette-8',
      image(8, {
        PhotometricInterpretation: 'PALETTE COLOR',
        PixelData: [grey(8, 255)],
        RedPaletteColorLookupTableDescriptor: [256, 0, 16],
        GreenPaletteColorLookupTableDescriptor: [256, 0, 16],
        BluePaletteColorLookupTableDescriptor: [256, 0, 16],
        RedPaletteColorLookupTableData: [lut(256, (i) => i * 257)],
        GreenPaletteColorLookupTableData: [lut(256, (i) => ((i * 4) % 256) * 257)],
        BluePaletteColorLookupTableData: [lut(256, (i) => (255 - i) * 257)],
        _vrMap: {
          PixelData: 'OB',
          RedPaletteColorLookupTableData: 'OW',
          GreenPaletteColorLookupTableData: 'OW',
          BluePaletteColorLookupTableData: 'OW',
        },
      }),
      { bitsStored: 8, colour: true },
    ),
  ];
}
