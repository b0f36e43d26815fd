// dcmtk's network tools as a modality and a PACS would use them: storescu pushes a study, storescp receives
// one, dcmdump compares what arrived with what was sent.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { syntheticStudy } from 'medshare-gateway-app';
import { tool } from './dicom-tools';

/** A port nobody listens on right now, on loopback. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** One attribute's value as dcmdump prints it, without the brackets. */
export async function dicomValue(file: string, tag: string): Promise<string> {
  const line = await tool('dcmdump', ['-q', '+P', tag, file]);
  return /\[(.*)\]/.exec(line)?.[1] ?? '';
}

/**
 * The data set of a DICOM file as dcmdump prints it with every value in full (pixel data included), less
 * the file meta information, which each writer makes its own: equal dumps mean equal data sets.
 */
export async function datasetDump(file: string): Promise<string> {
  const dump = await tool('dcmdump', ['-q', '+L', file]);
  return dump
    .split('\n')
    .filter((line) => !line.startsWith('(0002,'))
    .join('\n');
}

/**
 * A study of two series as a modality would send it, in `dir`: three CT slices in explicit VR little
 * endian and two more in a second series of the same study, the first of those JPEG lossless (dcmtk's
 * `dcmodify` joins them into one study, `dcmcjpeg` compresses). Returns the files and the study's UID.
 */
export async function twoSeriesStudy(
  dir: string,
  seed: number,
): Promise<{ files: string[]; studyUid: string }> {
  await mkdir(dir, { recursive: true });
  const files: string[] = [];
  for (const [series, slices] of [
    [seed, 3],
    [seed + 1, 2],
  ] as const) {
    for (const slice of syntheticStudy({
      slices,
      rows: 64,
      columns: 64,
      bits: 16,
      transferSyntax: 'explicit-le',
      seed: series,
    })) {
      const path = join(dir, `s${String(series)}-${slice.name}`);
      await writeFile(path, slice.bytes);
      files.push(path);
    }
  }
  const [first] = files;
  const studyUid = await dicomValue(first ?? '', '0020,000d');
  for (const file of files.slice(3)) await tool('dcmodify', ['-nb', '-m', `(0020,000d)=${studyUid}`, file]);
  const jpeg = files[3] ?? '';
  await tool('dcmcjpeg', ['+e1', jpeg, jpeg]);
  return { files, studyUid };
}

/** storescp, a PACS's receiving end, writing what it receives into `dir`. */
export class StoreScp {
  readonly #child: ChildProcess;

  private constructor(child: ChildProcess) {
    this.#child = child;
  }

  /** Starts storescp as `aeTitle` on `port`, accepting every transfer syntax, and waits until it answers C-ECHO. */
  static async start(aeTitle: string, port: number, dir: string): Promise<StoreScp> {
    await mkdir(dir, { recursive: true });
    const child = spawn('storescp', ['-aet', aeTitle, '+xa', '-od', dir, String(port)], { stdio: 'ignore' });
    const scp = new StoreScp(child);
    for (let attempt = 0; ; attempt++) {
      try {
        await tool('echoscu', ['-aec', aeTitle, '127.0.0.1', String(port)]);
        return scp;
      } catch (error) {
        if (attempt >= 50) {
          await scp.stop();
          throw error;
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.#child.once('exit', resolve));
    this.#child.kill('SIGTERM');
    await exited;
  }
}

/** The files in `dir` by SOP Instance UID. */
export async function filesBySopInstance(dir: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for (const name of await readdir(dir)) {
    const path = join(dir, name);
    found.set(await dicomValue(path, '0008,0018'), path);
  }
  return found;
}
