// The independent DICOM encoders and decoders the codec conformance test checks the viewer against:
// dcmtk (dcmconv, dcmcrle, dcmcjpeg, dcmcjpls, dcmj2pnm, dcml2pnm), GDCM (gdcmconv) and OpenJPH
// (ojph_compress, ojph_expand), all from Debian.
import { execFile } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Runs a tool; rejects with its stderr if it fails. */
export async function tool(command: string, args: readonly string[]): Promise<string> {
  try {
    const { stdout } = await run(command, [...args], { maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${command} ${args.join(' ')} failed: ${stderr.trim() || String(error)}`);
  }
}

/** An image as a PGM (one channel) or PPM (three), 8 or 16 bits a sample. */
export interface Pnm {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly maxValue: number;
  readonly samples: Uint16Array;
}

/** Reads a binary PGM (P5) or PPM (P6). */
export function parsePnm(bytes: Uint8Array): Pnm {
  const tokens: string[] = [];
  let at = 0;
  while (tokens.length < 4) {
    while (at < bytes.length && /\s/.test(String.fromCharCode(bytes[at] ?? 0))) at++;
    if (bytes[at] === 0x23) {
      while (at < bytes.length && bytes[at] !== 0x0a) at++;
      continue;
    }
    let token = '';
    while (at < bytes.length && !/\s/.test(String.fromCharCode(bytes[at] ?? 0)))
      token += String.fromCharCode(bytes[at++] ?? 0);
    tokens.push(token);
  }
  at++;
  const [magic, w, h, m] = tokens;
  if (magic !== 'P5' && magic !== 'P6') throw new Error(`not a binary PNM: ${magic}`);
  const width = Number(w);
  const height = Number(h);
  const maxValue = Number(m);
  const channels = magic === 'P5' ? 1 : 3;
  const count = width * height * channels;
  const samples = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    samples[i] =
      maxValue > 255 ? ((bytes[at + i * 2] ?? 0) << 8) | (bytes[at + i * 2 + 1] ?? 0) : (bytes[at + i] ?? 0);
  }
  return { width, height, channels, maxValue, samples };
}

/** Writes a binary PGM or PPM, 16 bits a sample when `maxValue` is over 255 (big endian, as PNM says). */
export function formatPnm(pnm: Pnm): Uint8Array {
  const header = new TextEncoder().encode(
    `${pnm.channels === 1 ? 'P5' : 'P6'}\n${pnm.width} ${pnm.height}\n${pnm.maxValue}\n`,
  );
  const wide = pnm.maxValue > 255;
  const body = new Uint8Array(pnm.samples.length * (wide ? 2 : 1));
  pnm.samples.forEach((v, i) => {
    if (wide) {
      body[i * 2] = v >> 8;
      body[i * 2 + 1] = v & 0xff;
    } else body[i] = v;
  });
  const out = new Uint8Array(header.length + body.length);
  out.set(header);
  out.set(body, header.length);
  return out;
}

/** The options of dcmj2pnm that choose the VOI transformation. */
export type Voi = { readonly center: number; readonly width: number } | 'voi-lut' | 'none';

/**
 * A frame as an independent decoder renders it, 8 bits a sample: dcmj2pnm for what dcmtk decodes,
 * dcml2pnm for JPEG-LS, and GDCM's decompression first for JPEG 2000.
 */
export async function referenceRendering(
  file: string,
  work: string,
  frame: number,
  voi: Voi,
  encoding: 'dcmtk' | 'jpeg-ls' | 'gdcm',
): Promise<Pnm> {
  let input = file;
  let decoder = 'dcmj2pnm';
  if (encoding === 'gdcm') {
    input = join(work, 'gdcm-raw.dcm');
    await tool('gdcmconv', ['--raw', file, input]);
  } else if (encoding === 'jpeg-ls') decoder = 'dcml2pnm';
  const out = join(work, 'reference.pnm');
  const window =
    voi === 'voi-lut' ? ['+Wl', '1'] : voi === 'none' ? [] : ['+Ww', String(voi.center), String(voi.width)];
  await tool(decoder, ['--frame', String(frame + 1), ...window, '+op', input, out]);
  return parsePnm(await readFile(out));
}

/** Writes bytes to a file in `work` and returns its path. */
export async function writeIn(work: string, name: string, bytes: Uint8Array): Promise<string> {
  const path = join(work, name);
  await writeFile(path, bytes);
  return path;
}
