import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, it } from 'node:test';
import { EnvelopeError } from '../../envelope';
import { syntheticStudy } from '../../study/synthetic';
import { CliError, UsageError } from './errors';
import { assertWritableTarget, filesToSend, writeFileAtomically } from './files';
import { readSecret, readValueFile, type Terminal } from './prompt';

function webStream(chunks: Uint8Array[], failAfter?: number): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (failAfter !== undefined && i === failAfter) {
        controller.error(new EnvelopeError('SEGMENT_AUTH_FAILED', 'a segment was modified'));
        return;
      }
      const chunk = chunks[i++];
      if (chunk) controller.enqueue(chunk);
      else controller.close();
    },
  });
}

function terminal(answers: string[], interactive = true): Terminal & { asked: string[] } {
  const asked: string[] = [];
  const next = (q: string) => {
    asked.push(q);
    return Promise.resolve(answers.shift() ?? '');
  };
  return { interactive, hidden: next, visible: next, asked };
}

describe('medshare files', () => {
  it('writes a stream through a temporary file, with its SHA-256 and size, mode 0600', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-files-'));
    const chunks = [Buffer.from('hello '), Buffer.from('world')];
    const written = await writeFileAtomically(webStream(chunks), join(dir, 'out.bin'));
    assert.equal(await readFile(join(dir, 'out.bin'), 'utf8'), 'hello world');
    assert.equal(written.sha256, createHash('sha256').update('hello world').digest('hex'));
    assert.equal(written.size, 11);
    assert.equal((await stat(join(dir, 'out.bin'))).mode & 0o777, 0o600);
    assert.deepEqual(await readdir(dir), ['out.bin']);
    await writeFileAtomically(Readable.from([Buffer.from('again')]), join(dir, 'out.bin'));
    assert.equal(await readFile(join(dir, 'out.bin'), 'utf8'), 'again');
  });

  it('leaves nothing behind when the stream fails part-way (a failed decryption)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-files-'));
    await assert.rejects(
      writeFileAtomically(webStream([Buffer.alloc(70_000, 1), Buffer.alloc(10)], 1), join(dir, 'plain.dcm')),
      (e: unknown) => e instanceof EnvelopeError && e.code === 'SEGMENT_AUTH_FAILED',
    );
    assert.deepEqual(await readdir(dir), []);
  });

  it('checks targets and inputs before anything is sent', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-files-'));
    await assertWritableTarget(join(dir, 'new.dcm'));
    await assert.rejects(assertWritableTarget(join(dir, 'missing', 'x')), UsageError);
    await assert.rejects(assertWritableTarget(dir), UsageError);
    const [slice] = syntheticStudy({
      slices: 1,
      rows: 8,
      columns: 8,
      bits: 8,
      transferSyntax: 'explicit-le',
    });
    await writeFile(join(dir, 'IM0001'), slice?.bytes ?? new Uint8Array());
    await writeFile(join(dir, 'photo.dcm'), Uint8Array.of(0xff, 0xd8, 0xff, 0xe0, 0, 16));
    await writeFile(join(dir, 'notes.txt'), 'abc');
    assert.deepEqual(
      (await filesToSend([join(dir, 'IM0001'), join(dir, 'photo.dcm'), join(dir, 'notes.txt')])).map(
        (f) => f.mediaType,
      ),
      ['application/dicom', 'image/jpeg', 'application/octet-stream'],
    );
    await assert.rejects(filesToSend([join(dir, 'IM0001'), join(dir, 'nope')]), UsageError);
    await assert.rejects(filesToSend([dir]), UsageError);
  });

  it('refuses an empty file and a file named or declared DICOM that is not, naming it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-files-'));
    await writeFile(join(dir, 'empty.dcm'), '');
    await writeFile(
      join(dir, 'random.dcm'),
      Uint8Array.from({ length: 512 }, (_, i) => (i * 37) % 256),
    );
    await writeFile(
      join(dir, 'random.bin'),
      Uint8Array.from({ length: 512 }, (_, i) => (i * 37) % 256),
    );
    const refusedWith = (code: string, file: string) => (e: unknown) =>
      e instanceof CliError && e.code === code && e.message.includes(file);
    await assert.rejects(filesToSend([join(dir, 'empty.dcm')]), refusedWith('EMPTY_FILE', 'empty.dcm'));
    await assert.rejects(filesToSend([join(dir, 'random.dcm')]), refusedWith('NOT_DICOM', 'random.dcm'));
    await assert.rejects(
      filesToSend([join(dir, 'random.bin')], 'application/dicom'),
      refusedWith('NOT_DICOM', 'random.bin'),
    );
  });
});

describe('medshare secrets', () => {
  const source = { what: 'password', fileOption: '--password-file', envVar: 'MEDSHARE_PASSWORD' };

  it('reads a file (one trailing newline dropped), else the environment', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-secret-'));
    await writeFile(join(dir, 'pw'), 'correct horse battery\n');
    const tty = terminal([]);
    assert.equal(
      await readSecret({ ...source, file: join(dir, 'pw') }, { MEDSHARE_PASSWORD: 'env' }, tty),
      'correct horse battery',
    );
    assert.equal(
      await readSecret({ ...source, file: undefined }, { MEDSHARE_PASSWORD: 'from env' }, tty),
      'from env',
    );
    assert.deepEqual(tty.asked, []);
    await writeFile(join(dir, 'empty'), '\n');
    await assert.rejects(readValueFile(join(dir, 'empty'), 'password'), UsageError);
    await assert.rejects(readValueFile(join(dir, 'missing'), 'password'), UsageError);
  });

  it('prompts only on a terminal, twice for a new one, and is a usage error otherwise', async () => {
    const tty = terminal(['s3cret words here', 's3cret words here']);
    assert.equal(
      await readSecret({ ...source, file: undefined, confirm: true }, { MEDSHARE_PASSWORD: '' }, tty),
      's3cret words here',
    );
    assert.equal(tty.asked.length, 2);
    await assert.rejects(
      readSecret({ ...source, file: undefined, confirm: true }, {}, terminal(['one', 'two'])),
      UsageError,
    );
    await assert.rejects(
      readSecret({ ...source, file: undefined }, {}, terminal([], false)),
      (e: unknown) =>
        e instanceof UsageError && e.message.includes('--password-file FILE or MEDSHARE_PASSWORD'),
    );
  });
});
