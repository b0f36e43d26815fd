// The encodings the codec tests make and how each is checked: the encoder (dcmtk, GDCM or OpenJPH, none
// of them ours) and the independent decoder whose rendering the viewer's must match.
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as dcmjs from 'dcmjs';
import * as dicomParser from 'dicom-parser';
import { renderWindowLevel } from 'medshare-gateway-app/dist/viewer';
import { writeDicom } from 'medshare-gateway-app/dist/viewer/testing';
import type { DicomSample } from './dicom-samples';
import { type Pnm, type Voi, formatPnm, parsePnm, referenceRendering, tool, writeIn } from './dicom-tools';
export type Reference = 'dcmtk' | 'jpeg-ls' | 'gdcm' | 'openjph';

/** One way of encoding a source: the command that makes it and the decoder that checks it. */
export interface Variant {
  readonly name: string;
  readonly lossy: boolean;
  readonly reference: Reference;
  readonly applies: (s: DicomSample) => boolean;
  readonly encode: (source: string, out: string, sample: DicomSample, work: string) => Promise<void>;
}

const notPalette = (s: DicomSample) => !s.name.startsWith('palette');
/** dcmtk's RLE, lossless JPEG and JPEG-LS encoders refuse 4:2:2 sources (it is a lossy model). */
const full = (s: DicomSample) => s.name !== 'ybr-full-422';
const dcmtk =
  (command: string, ...options: string[]) =>
  async (source: string, out: string) => {
    await tool(command, [...options, source, out]);
  };

export const VARIANTS: readonly Variant[] = [
  {
    name: 'explicit-le',
    lossy: false,
    reference: 'dcmtk',
    applies: () => true,
    encode: dcmtk('dcmconv', '+te'),
  },
  {
    name: 'implicit-le',
    lossy: false,
    reference: 'dcmtk',
    applies: () => true,
    encode: dcmtk('dcmconv', '+ti'),
  },
  {
    name: 'explicit-be',
    lossy: false,
    reference: 'dcmtk',
    applies: () => true,
    encode: dcmtk('dcmconv', '+tb'),
  },
  {
    name: 'deflated',
    lossy: false,
    reference: 'dcmtk',
    applies: () => true,
    encode: dcmtk('dcmconv', '+td'),
  },
  {
    name: 'rle',
    lossy: false,
    reference: 'dcmtk',
    applies: (s) => s.bitsStored > 1 && full(s),
    encode: dcmtk('dcmcrle'),
  },
  {
    name: 'jpeg-baseline',
    lossy: true,
    reference: 'dcmtk',
    applies: (s) => s.bitsStored === 8 && notPalette(s),
    encode: dcmtk('dcmcjpeg', '+eb'),
  },
  {
    // RGB compressed as it is, without the YCbCr transform and without an Adobe marker saying so.
    name: 'jpeg-baseline-rgb',
    lossy: true,
    reference: 'dcmtk',
    applies: (s) => s.colour && notPalette(s) && s.name.startsWith('rgb'),
    encode: dcmtk('dcmcjpeg', '+eb', '+cr'),
  },
  {
    name: 'jpeg-extended-12',
    lossy: true,
    reference: 'dcmtk',
    applies: (s) => s.bitsStored > 8 && s.bitsStored <= 12 && !s.colour,
    encode: dcmtk('dcmcjpeg', '+ee'),
  },
  {
    name: 'jpeg-lossless-14',
    lossy: false,
    reference: 'dcmtk',
    applies: (s) => s.bitsStored > 1 && s.bitsStored <= 16 && full(s),
    encode: dcmtk('dcmcjpeg', '+el'),
  },
  {
    name: 'jpeg-lossless-sv1',
    lossy: false,
    reference: 'dcmtk',
    applies: (s) => s.bitsStored > 1 && s.bitsStored <= 16 && full(s),
    encode: dcmtk('dcmcjpeg', '+e1'),
  },
  {
    name: 'jpeg-ls-lossless',
    lossy: false,
    reference: 'jpeg-ls',
    applies: (s) => s.bitsStored > 1 && s.bitsStored <= 16 && full(s),
    encode: dcmtk('dcmcjpls', '+el'),
  },
  {
    name: 'jpeg-ls-near',
    lossy: true,
    reference: 'jpeg-ls',
    // dcmcjpls has no near-lossless mode for signed samples.
    applies: (s) => s.bitsStored > 1 && s.bitsStored <= 16 && notPalette(s) && !s.signed && full(s),
    encode: dcmtk('dcmcjpls', '+en'),
  },
  {
    name: 'jpeg-2000-lossless',
    lossy: false,
    reference: 'gdcm',
    applies: (s) => s.bitsStored > 1 && s.bitsStored <= 16,
    encode: dcmtk('gdcmconv', '--j2k'),
  },
  {
    name: 'jpeg-2000-lossy',
    lossy: true,
    reference: 'gdcm',
    applies: (s) => s.bitsStored > 1 && s.bitsStored <= 16 && notPalette(s),
    encode: dcmtk('gdcmconv', '--j2k', '--lossy', '-q', '80'),
  },
  {
    name: 'htj2k-lossless',
    lossy: false,
    reference: 'openjph',
    applies: (s) => ['mr-unsigned-12', 'grey-8-monochrome1', 'rgb-planar-0'].includes(s.name),
    encode: htj2k,
  },
];

/**
 * HTJ2K, which neither dcmtk nor GDCM writes here: the source's native samples (explicit VR little endian)
 * to a PGM or PPM, OpenJPH's reversible coder, and the codestream put back in the source's data set as one
 * fragment, every other attribute kept.
 */
async function htj2k(source: string, out: string, sample: DicomSample, work: string): Promise<void> {
  const file = await readFile(source);
  const message = dcmjs.data.DicomMessage.readFile(
    file.buffer.slice(file.byteOffset, file.byteOffset + file.byteLength),
  );
  const dataset = dcmjs.data.DicomMetaDictionary.naturalizeDataset(message.dict);
  const width = Number(dataset.Columns);
  const height = Number(dataset.Rows);
  const bitsAllocated = Number(dataset.BitsAllocated);
  const channels = sample.colour ? 3 : 1;
  const [native] = dataset.PixelData as ArrayBuffer[];
  if (native === undefined) throw new Error('no pixel data');
  const samples =
    bitsAllocated === 16
      ? new Uint16Array(native, 0, width * height * channels)
      : Uint16Array.from(new Uint8Array(native, 0, width * height * channels));
  const maxValue = 2 ** sample.bitsStored - 1;
  const input = await writeIn(
    work,
    channels === 1 ? 'htj2k.pgm' : 'htj2k.ppm',
    formatPnm({ width, height, channels, maxValue, samples }),
  );
  const codestream = join(work, 'htj2k.j2c');
  await tool('ojph_compress', ['-i', input, '-o', codestream, '-reversible', 'true']);
  const bytes = new Uint8Array(await readFile(codestream));
  const wrapped = writeDicom(
    {
      ...dataset,
      PlanarConfiguration: channels === 3 ? 0 : undefined,
      PixelData: [bytes.slice().buffer],
      _vrMap: { PixelData: 'OB' },
    },
    '1.2.840.10008.1.2.4.201',
  );
  await writeFile(out, wrapped);
}

/** What a variant's own reference decoder shows of a frame. */
export async function reference(
  variant: Variant,
  file: string,
  work: string,
  frame: number,
  voi: Voi,
): Promise<Pnm> {
  if (variant.reference !== 'openjph') return referenceRendering(file, work, frame, voi, variant.reference);
  const dataSet = dicomParser.parseDicom(new Uint8Array(await readFile(file)));
  const element = dataSet.elements.x7fe00010;
  if (!element) throw new Error('no pixel data');
  const codestream = await writeIn(
    work,
    'expand.j2c',
    dicomParser.readEncapsulatedPixelDataFromFragments(dataSet, element, 0),
  );
  const out = join(work, dataSet.uint16('x00280002') === 3 ? 'expand.ppm' : 'expand.pgm');
  await tool('ojph_expand', ['-i', codestream, '-o', out]);
  const expanded = parsePnm(await readFile(out));
  if (expanded.channels === 3 || typeof voi !== 'object') return expanded;
  // OpenJPH gives stored values: the rescale and the window of PS3.3 C.11.2.1.2.1 make them a rendering.
  const slope = dataSet.floatString('x00281053') ?? 1;
  const intercept = dataSet.floatString('x00281052') ?? 0;
  const { width, height } = expanded;
  const values = Float32Array.from(expanded.samples, (v) => v * slope + intercept);
  const invert = dataSet.string('x00280004') === 'MONOCHROME1';
  const rgba = renderWindowLevel({ kind: 'gray', width, height, values, min: 0, max: 0 }, voi, invert);
  const samples = Uint16Array.from({ length: width * height }, (_, i) => rgba[i * 4] ?? 0);
  return { width, height, channels: 1, maxValue: 255, samples };
}

/** The largest difference between two renderings, and how many samples differ by more than 2. */
export function compare(ours: Uint8ClampedArray, theirs: Pnm): { max: number; over2: number } {
  let max = 0;
  let over2 = 0;
  const pixels = theirs.width * theirs.height;
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < theirs.channels; c++) {
      const mine = ours[i * 4 + c] ?? 0;
      const d = Math.abs(mine - (theirs.samples[i * theirs.channels + c] ?? 0));
      max = Math.max(max, d);
      if (d > 2) over2++;
    }
  }
  return { max, over2 };
}
