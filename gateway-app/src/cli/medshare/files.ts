import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Deidentifier, DeidentifyError } from '../../deidentify';
import { FILE_HEAD_BYTES, checkFileKind } from '../../study';
import { CliError, UsageError } from './errors';

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

/**
 * The regular files to send, with their sizes and true media types, each checked on this device before
 * anything is asked of the gateway (see {@link checkFileKind}): DICOM Part 10 whatever its name, PNG and
 * JPEG by their signatures, anything else as `declared` or `application/octet-stream`. A path that is not
 * a file is a usage error; an empty file, or one named or declared DICOM that is not, is refused with its
 * code (`EMPTY_FILE`, `NOT_DICOM`), and then nothing is sent.
 */
export async function filesToSend(files: readonly string[], declared?: string): Promise<FileToSend[]> {
  const out: FileToSend[] = [];
  for (const file of files) {
    const info = await stat(file).catch(() => undefined);
    if (!info?.isFile()) throw new UsageError(`${file} is not a file`);
    const head = await readHead(file);
    const kind = checkFileKind(
      { head, size: info.size, name: basename(file), ...(declared === undefined ? {} : { declared }) },
      declared ?? 'application/octet-stream',
    );
    if (!kind.ok) throw new CliError(kind.code, kind.reason.replace(basename(file), file));
    out.push({ file, size: info.size, mediaType: declared ?? kind.mediaType });
  }
  return out;
}

/** A file to send; `bytes` when it is sent from memory (de-identified) rather than streamed from disk. */
export interface FileToSend {
  file: string;
  size: number;
  mediaType: string;
  bytes?: Uint8Array<ArrayBuffer>;
}

/**
 * The files de-identified with the PS3.15 Basic Profile, in memory, by one de-identifier so that UIDs are
 * replaced consistently across them. A file that is not DICOM is refused `NOT_DICOM`, one that declares
 * burned-in annotation `BURNED_IN_ANNOTATION`, each naming the file; nothing is sent then.
 */
export async function deidentifiedFiles(files: readonly FileToSend[]): Promise<FileToSend[]> {
  const deidentifier = new Deidentifier();
  const out: FileToSend[] = [];
  for (const input of files) {
    if (input.mediaType !== 'application/dicom') {
      throw new CliError('NOT_DICOM', `${input.file}: only DICOM files can be de-identified`);
    }
    try {
      const bytes = deidentifier.deidentify(await readFile(input.file));
      out.push({ ...input, size: bytes.length, bytes });
    } catch (error) {
      if (error instanceof DeidentifyError) throw new CliError(error.code, `${input.file}: ${error.message}`);
      throw error;
    }
  }
  return out;
}

async function readHead(file: string): Promise<Uint8Array> {
  const handle = await open(file, 'r');
  try {
    const { buffer, bytesRead } = await handle.read(new Uint8Array(FILE_HEAD_BYTES), 0, FILE_HEAD_BYTES, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
