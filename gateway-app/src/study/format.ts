import { BundleError } from './errors';

/** The media type of a study bundle: a plain POSIX ustar archive whose first entry is the manifest. */
export const STUDY_MEDIA_TYPE = 'application/vnd.medshare.bundle+tar';

/** The name of the first entry of every bundle. */
export const MANIFEST_NAME = 'MANIFEST.json';

/** The tar block size: headers take one block and each entry's data is padded to a whole block. */
export const BLOCK_SIZE = 512;

/** The most files one bundle may hold. */
export const MAX_ENTRIES = 10_000;

/** The largest manifest a bundle may hold, in bytes: 1 MiB. */
export const MAX_MANIFEST_SIZE = 1024 * 1024;

/** The largest entry a ustar size field can describe: eleven octal digits, 8 GiB − 1. */
export const MAX_ENTRY_SIZE = 8 ** 11 - 1;

/** The length of a ustar name field, in bytes; bundles never use the prefix field. */
export const NAME_FIELD_SIZE = 100;

const MODE_OFFSET = 100;
const UID_OFFSET = 108;
const GID_OFFSET = 116;
const SIZE_OFFSET = 124;
const MTIME_OFFSET = 136;
const CHECKSUM_OFFSET = 148;
const TYPEFLAG_OFFSET = 156;
const MAGIC_OFFSET = 257;
const VERSION_OFFSET = 263;
const PREFIX_OFFSET = 345;
const PREFIX_SIZE = 155;

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The fields of a regular-file entry's header that a bundle uses. */
export interface EntryHeader {
  /** The entry's name, a single path component. */
  readonly name: string;
  /** The length of the entry's data, in bytes. */
  readonly size: number;
  /** The modification time, in whole seconds since the epoch. */
  readonly mtime: number;
}

/** The UTF-8 encoding of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return utf8Encoder.encode(text);
}

/** The zero bytes that pad an entry of `size` bytes to a whole number of blocks. */
export function paddingSize(size: number): number {
  return (BLOCK_SIZE - (size % BLOCK_SIZE)) % BLOCK_SIZE;
}

/** The bytes one entry takes in the archive: its header, its data and the data's padding. */
export function entrySpan(size: number): number {
  return BLOCK_SIZE + size + paddingSize(size);
}

/**
 * The 512-byte ustar header of a regular file with mode 0644 and owner 0:0.
 *
 * @throws {@link BundleError} `INVALID_ARGUMENT` if the name does not fit the name field or the size does
 *   not fit the size field.
 */
export function encodeHeader(header: EntryHeader): Uint8Array<ArrayBuffer> {
  const block = new Uint8Array(BLOCK_SIZE);
  const name = utf8(header.name);
  if (name.length === 0 || name.length > NAME_FIELD_SIZE) {
    throw new BundleError('INVALID_ARGUMENT', `an entry name must be 1 to ${NAME_FIELD_SIZE} bytes`);
  }
  if (!Number.isSafeInteger(header.size) || header.size < 0 || header.size > MAX_ENTRY_SIZE) {
    throw new BundleError('INVALID_ARGUMENT', `an entry must be 0 to ${MAX_ENTRY_SIZE} bytes`, {
      details: { size: header.size },
    });
  }
  block.set(name, 0);
  writeOctal(block, MODE_OFFSET, 8, 0o644);
  writeOctal(block, UID_OFFSET, 8, 0);
  writeOctal(block, GID_OFFSET, 8, 0);
  writeOctal(block, SIZE_OFFSET, 12, header.size);
  writeOctal(block, MTIME_OFFSET, 12, Math.min(Math.max(0, Math.floor(header.mtime)), MAX_ENTRY_SIZE));
  block[TYPEFLAG_OFFSET] = 0x30; // '0': regular file
  block.set(utf8('ustar\0'), MAGIC_OFFSET);
  block.set(utf8('00'), VERSION_OFFSET);
  // The checksum field counts as eight spaces while the sum is taken, and is written as six octal
  // digits, a NUL and a space, as POSIX tar does.
  block.fill(0x20, CHECKSUM_OFFSET, CHECKSUM_OFFSET + 8);
  writeOctal(block, CHECKSUM_OFFSET, 7, checksum(block).unsigned);
  block[CHECKSUM_OFFSET + 7] = 0x20;
  return block;
}

/**
 * Reads a header block: `undefined` for an all-zero block (the end-of-archive marker), otherwise the
 * header of a regular file.
 *
 * @param offset - where the block starts in the stream, for error details.
 * @throws {@link BundleError} `BAD_HEADER` if the block is not a valid ustar header of a regular file.
 */
export function decodeHeader(block: Uint8Array, offset: number): EntryHeader | undefined {
  if (block.every((b) => b === 0)) return undefined;
  const fail = (why: string): BundleError =>
    new BundleError('BAD_HEADER', `the tar header at byte ${offset} ${why}`, { details: { offset } });
  const stored = readOctal(block, CHECKSUM_OFFSET, 8);
  const sums = checksum(block);
  if (stored === undefined || (stored !== sums.unsigned && stored !== sums.signed)) {
    throw fail('fails its checksum');
  }
  if (field(block, MAGIC_OFFSET, 5) !== 'ustar') throw fail('is not a ustar header');
  const type = block[TYPEFLAG_OFFSET];
  if (type !== 0x30 && type !== 0) throw fail('is not of a regular file');
  const size = readOctal(block, SIZE_OFFSET, 12);
  if (size === undefined) throw fail('has an invalid size');
  const prefix = field(block, PREFIX_OFFSET, PREFIX_SIZE);
  const base = field(block, 0, NAME_FIELD_SIZE);
  const name = prefix === '' ? base : `${prefix}/${base}`;
  if (name === '') throw fail('has an empty name');
  return { name, size, mtime: readOctal(block, MTIME_OFFSET, 12) ?? 0 };
}

function checksum(block: Uint8Array): { unsigned: number; signed: number } {
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK_SIZE; i++) {
    const b = i >= CHECKSUM_OFFSET && i < CHECKSUM_OFFSET + 8 ? 0x20 : (block[i] ?? 0);
    unsigned += b;
    signed += b >= 0x80 ? b - 0x100 : b;
  }
  return { unsigned, signed };
}

/** Writes `value` as zero-padded octal digits filling `length - 1` bytes, then a NUL. */
function writeOctal(block: Uint8Array, offset: number, length: number, value: number): void {
  block.set(utf8(value.toString(8).padStart(length - 1, '0')), offset);
  block[offset + length - 1] = 0;
}

/** An octal field, which tools end with a NUL or a space and may pad with leading spaces. */
function readOctal(block: Uint8Array, offset: number, length: number): number | undefined {
  const text = String.fromCharCode(...block.subarray(offset, offset + length))
    .replace(/[\0 ]+$/, '')
    .replace(/^ +/, '');
  if (!/^[0-7]{1,12}$/.test(text)) return undefined;
  return parseInt(text, 8);
}

/** A NUL-terminated (or full-length) text field, decoded as UTF-8. */
function field(block: Uint8Array, offset: number, length: number): string {
  const bytes = block.subarray(offset, offset + length);
  const end = bytes.indexOf(0);
  return utf8Decoder.decode(end === -1 ? bytes : bytes.subarray(0, end));
}
