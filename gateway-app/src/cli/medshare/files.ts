import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { UsageError } from './errors';

/** What was written. */
export interface Written {
  path: string;
  sha256: string;
  size: number;
}

/**
 * Streams `source` into `target` through a temporary file in the same
 * directory (mode 0600), renamed into place only once everything was
 * written. On any failure (a ciphertext that fails authentication, a full
 * disk) the temporary file is deleted: no partial plaintext stays behind.
 */
export async function writeFileAtomically(
  source: ReadableStream<Uint8Array> | Readable,
  target: string,
): Promise<Written> {
  const path = resolve(target);
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.part`);
  const hash = createHash('sha256');
  let size = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const input = source instanceof Readable ? source : Readable.fromWeb(source);
  try {
    await pipeline(input, meter, createWriteStream(temporary, { flags: 'wx', mode: 0o600 }));
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  return { path, sha256: hash.digest('hex'), size };
}

/** Refuses, before anything is asked of the gateway, an output whose directory does not exist. */
export async function assertWritableTarget(target: string): Promise<void> {
  const directory = dirname(resolve(target));
  const info = await stat(directory).catch(() => undefined);
  if (!info?.isDirectory()) throw new UsageError(`the directory of ${target} does not exist`);
  const existing = await stat(resolve(target)).catch(() => undefined);
  if (existing?.isDirectory()) throw new UsageError(`${target} is a directory`);
}

/** The regular files to send, with their sizes; anything else is a usage error. */
export async function filesToSend(files: readonly string[]): Promise<{ file: string; size: number }[]> {
  const out: { file: string; size: number }[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new UsageError(`${file} is not a file`);
    out.push({ file, size: info.size });
  }
  return out;
}
