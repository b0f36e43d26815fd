import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bundleSize, planBundle } from './bundle-plan';
import { type BundleEntry, readBundle } from './bundle-reader';
import { type BundleFile, type BundleProgress, createBundleStream } from './bundle-writer';
import { BundleError, type BundleErrorCode } from './errors';
import { BLOCK_SIZE, MANIFEST_NAME, MAX_ENTRIES, encodeHeader, paddingSize, utf8 } from './format';
import { encodeManifest } from './manifest';
import { concatBytes } from '../envelope/bytes';
import { chunkedSource, collect, patternBytes } from '../envelope/testing';
import { all } from './testing';

interface Source {
  readonly name: string;
  readonly mediaType: string;
  readonly bytes: Uint8Array;
}

const sources: Source[] = [
  { name: 'slice-001.dcm', mediaType: 'application/dicom', bytes: patternBytes(1000, 1) },
  { name: 'empty.bin', mediaType: '', bytes: new Uint8Array(0) },
  { name: 'one.png', mediaType: 'image/png', bytes: patternBytes(1, 2) },
  { name: 'block.jpg', mediaType: 'image/jpeg', bytes: patternBytes(BLOCK_SIZE, 3) },
  { name: 'block-less.dcm', mediaType: 'application/dicom', bytes: patternBytes(BLOCK_SIZE - 1, 4) },
  { name: 'block-more.dcm', mediaType: 'application/dicom', bytes: patternBytes(BLOCK_SIZE + 1, 5) },
  { name: 'large.dcm', mediaType: 'application/dicom', bytes: patternBytes(70_001, 6) },
];

function fileOf(source: Source, chunkSizes: number | number[] = 4096, opened?: string[]): BundleFile {
  return {
    name: source.name,
    size: source.bytes.length,
    mediaType: source.mediaType,
    stream: () => {
      opened?.push(source.name);
      return chunkedSource(source.bytes, chunkSizes);
    },
  };
}

async function bundleOf(list: readonly Source[]): Promise<Uint8Array<ArrayBuffer>> {
  return collect(createBundleStream(list.map((s) => fileOf(s))));
}

async function rejectsWith(promise: Promise<unknown>, code: BundleErrorCode): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof BundleError, `expected a BundleError, got ${String(error)}`);
    assert.equal(error.name, 'BundleError');
    assert.equal(error.code, code, error.message);
    return true;
  });
}

/** A tar stream built by hand from entries, for inputs the writer refuses to produce. */
function handMadeTar(entries: { name: string; data: Uint8Array }[], end = 2 * BLOCK_SIZE): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const { name, data } of entries) {
    parts.push(
      encodeHeader({ name, size: data.length, mtime: 0 }),
      data,
      new Uint8Array(paddingSize(data.length)),
    );
  }
  parts.push(new Uint8Array(end));
  return concatBytes(parts);
}

function checkEntries(entries: readonly BundleEntry[], list: readonly Source[]): void {
  assert.equal(entries.length, list.length);
  let lastBytesRead = 0;
  for (const [i, entry] of entries.entries()) {
    const source = list[i];
    assert.ok(source);
    assert.equal(entry.index, i);
    assert.equal(entry.total, list.length);
    assert.equal(entry.name, source.name);
    assert.equal(entry.mediaType, source.mediaType === '' ? 'application/octet-stream' : source.mediaType);
    assert.equal(entry.size, source.bytes.length);
    assert.deepEqual(entry.bytes, source.bytes);
    assert.ok(entry.bytesRead > lastBytesRead);
    lastBytesRead = entry.bytesRead;
  }
}

describe('study bundles', () => {
  it('writes exactly bundleSize bytes, in whole blocks, starting with the manifest', async () => {
    const bytes = await bundleOf(sources);
    assert.equal(bytes.length, bundleSize(sources.map((s) => fileOf(s))));
    assert.equal(bytes.length % BLOCK_SIZE, 0);
    assert.equal(new TextDecoder().decode(bytes.subarray(0, MANIFEST_NAME.length)), MANIFEST_NAME);
    assert.ok(bytes.subarray(bytes.length - 2 * BLOCK_SIZE).every((b) => b === 0));
    const manifestSize = encodeManifest(planBundle(sources.map((s) => fileOf(s))).entries).length;
    const expected =
      BLOCK_SIZE +
      manifestSize +
      paddingSize(manifestSize) +
      sources.reduce((n, s) => n + BLOCK_SIZE + s.bytes.length + paddingSize(s.bytes.length), 0) +
      2 * BLOCK_SIZE;
    assert.equal(bytes.length, expected);
  });

  it('writes an empty bundle that reads back as no files', async () => {
    const bytes = await bundleOf([]);
    assert.equal(bytes.length, bundleSize([]));
    let total = -1;
    const entries = await all(
      readBundle(chunkedSource(bytes, 100), { onManifest: (m) => (total = m.files.length) }),
    );
    assert.deepEqual(entries, []);
    assert.equal(total, 0);
  });

  for (const chunkSizes of [1, 7, 511, 513, 4096, 1_000_000, [3, 1000, 1, 517]]) {
    it(`round-trips several files read in chunks of ${String(chunkSizes)} bytes`, async () => {
      const bytes = await collect(createBundleStream(sources.map((s) => fileOf(s, chunkSizes))));
      const entries = await all(readBundle(chunkedSource(bytes, chunkSizes)));
      checkEntries(entries, sources);
      assert.ok((entries.at(-1)?.bytesRead ?? 0) <= bytes.length - 2 * BLOCK_SIZE);
    });
  }

  it('reports bytesRead as the offset where each entry data ends', async () => {
    const bytes = await bundleOf(sources);
    const entries = await all(readBundle(chunkedSource(bytes, 777)));
    for (const entry of entries) {
      const end = entry.bytesRead;
      assert.deepEqual(bytes.subarray(end - entry.size, end), entry.bytes);
    }
  });

  it('opens each file stream only when the writer reaches it', async () => {
    const opened: string[] = [];
    const stream = createBundleStream(sources.map((s) => fileOf(s, 4096, opened)));
    assert.deepEqual(opened, []);
    const reader = stream.getReader();
    await reader.read();
    await reader.read();
    assert.deepEqual(opened, []);
    await reader.read();
    await reader.read();
    assert.deepEqual(opened, [sources[0]?.name]);
    await reader.cancel();
  });

  it('reports progress per chunk, ending at the data of each file and below the bundle size', async () => {
    const progress: BundleProgress[] = [];
    const files = sources.map((s) => fileOf(s, 300));
    const bytes = await collect(createBundleStream(files, (p) => progress.push(p)));
    for (const [index, source] of sources.entries()) {
      const last = progress.filter((p) => p.fileIndex === index).at(-1);
      assert.equal(last?.fileBytes, source.bytes.length);
    }
    const totals = progress.map((p) => p.totalBytes);
    assert.deepEqual(
      totals,
      [...totals].sort((a, b) => a - b),
    );
    assert.ok((totals.at(-1) ?? Infinity) < bytes.length);
  });

  it('sanitises and dedupes names, and reads them back as written', async () => {
    const named = (name: string, i: number): Source => ({
      name,
      mediaType: 'image/png',
      bytes: patternBytes(10, i + 1),
    });
    const list = [
      '../../etc/passwd',
      'C:\\scans\\a.png',
      'a.png',
      'A.PNG',
      MANIFEST_NAME,
      '',
      'x\u0000y.png',
    ].map(named);
    const bytes = await bundleOf(list);
    const entries = await all(readBundle(chunkedSource(bytes, 512)));
    assert.deepEqual(
      entries.map((e) => e.name),
      ['passwd', 'a.png', 'a-2.png', 'A-3.PNG', 'MANIFEST-2.json', 'file', 'x_y.png'],
    );
  });

  it('yields the first entry before the source stream has delivered the rest', async () => {
    const bytes = await bundleOf(sources);
    const firstEnd = (await all(readBundle(chunkedSource(bytes, bytes.length))))[0]?.bytesRead ?? 0;
    let controller: ReadableStreamDefaultController<Uint8Array> | undefined;
    const source = new ReadableStream<Uint8Array>({ start: (c) => void (controller = c) });
    assert.ok(controller);
    controller.enqueue(bytes.slice(0, firstEnd));

    const events: string[] = [];
    const iterator = readBundle(source)[Symbol.asyncIterator]();
    const first = await iterator.next();
    events.push(`entry ${first.done === true ? 'none' : first.value.name}`);
    events.push('source finishes');
    controller.enqueue(bytes.slice(firstEnd));
    controller.close();
    for (let next = await iterator.next(); next.done !== true; next = await iterator.next()) {
      events.push(`entry ${next.value.name}`);
    }
    assert.deepEqual(events, [
      `entry ${sources[0]?.name}`,
      'source finishes',
      ...sources.slice(1).map((s) => `entry ${s.name}`),
    ]);
  });

  it('cancels the source when the consumer stops early', async () => {
    const bytes = await bundleOf(sources);
    let cancelled = false;
    const inner = chunkedSource(bytes, 1000).getReader();
    const source = new ReadableStream<Uint8Array>({
      async pull(c) {
        const { done, value } = await inner.read();
        if (done) c.close();
        else c.enqueue(value);
      },
      cancel: () => void (cancelled = true),
    });
    for await (const entry of readBundle(source)) {
      assert.equal(entry.index, 0);
      break;
    }
    assert.ok(cancelled);
  });

  describe('writer errors', () => {
    it('fails with SIZE_MISMATCH when a file yields more than its size, and cancels it', async () => {
      let cancelled = false;
      const file: BundleFile = {
        name: 'a.dcm',
        size: 10,
        mediaType: 'application/dicom',
        stream: () =>
          new ReadableStream({
            pull: (c) => {
              c.enqueue(new Uint8Array(7));
            },
            cancel: () => void (cancelled = true),
          }),
      };
      await rejectsWith(collect(createBundleStream([file])), 'SIZE_MISMATCH');
      assert.ok(cancelled);
    });

    it('fails with SIZE_MISMATCH when a file yields fewer bytes than its size', async () => {
      const file = {
        ...fileOf(sources[0] ?? { name: '', mediaType: '', bytes: new Uint8Array() }),
        size: 1001,
      };
      await rejectsWith(collect(createBundleStream([file])), 'SIZE_MISMATCH');
    });

    it('cancels the open file stream when the bundle is cancelled', async () => {
      let cancelled = false;
      const file: BundleFile = {
        name: 'a.dcm',
        size: 1_000_000,
        mediaType: 'application/dicom',
        stream: () =>
          new ReadableStream({
            pull: (c) => {
              c.enqueue(new Uint8Array(100));
            },
            cancel: () => void (cancelled = true),
          }),
      };
      const reader = createBundleStream([file]).getReader();
      for (let i = 0; i < 5; i++) await reader.read();
      await reader.cancel();
      assert.ok(cancelled);
    });

    it('refuses invalid sizes and too many files at once', () => {
      const empty: Source = { name: 'empty.bin', mediaType: '', bytes: new Uint8Array(0) };
      const bad = (size: number): BundleFile => ({ ...fileOf(empty), size });
      for (const size of [-1, 1.5, Number.NaN, 8 ** 11]) {
        assert.throws(
          () => createBundleStream([bad(size)]),
          (e: unknown) => e instanceof BundleError && e.code === 'INVALID_ARGUMENT',
        );
      }
      const many = Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({
        name: `${i}`,
        size: 0,
        mediaType: '',
      }));
      assert.throws(
        () => bundleSize(many),
        (e: unknown) => e instanceof BundleError && e.code === 'LIMIT_EXCEEDED',
      );
    });
  });

  describe('reader errors', () => {
    it('fails with BAD_HEADER when a header checksum does not match', async () => {
      const bytes = await bundleOf(sources);
      const secondHeader = (await all(readBundle(chunkedSource(bytes, bytes.length))))[0]?.bytesRead ?? 0;
      for (const at of [0, 5, 130, secondHeader + paddingSize(1000) + 3]) {
        const corrupt = bytes.slice();
        corrupt[at] = (corrupt[at] ?? 0) ^ 0x01;
        await rejectsWith(all(readBundle(chunkedSource(corrupt, 1000))), 'BAD_HEADER');
      }
    });

    it('fails with TRUNCATED wherever the stream is cut', async () => {
      const bytes = await bundleOf(sources);
      for (const cut of [0, 100, 512, 600, 1024, 3000, bytes.length - 1024, bytes.length - 1]) {
        await rejectsWith(all(readBundle(chunkedSource(bytes.slice(0, cut), 333))), 'TRUNCATED');
      }
    });

    it('yields the complete entries before reporting a truncation', async () => {
      const bytes = await bundleOf(sources);
      const seen: string[] = [];
      await rejectsWith(
        (async () => {
          for await (const entry of readBundle(chunkedSource(bytes.slice(0, bytes.length - 5000), 999))) {
            seen.push(entry.name);
          }
        })(),
        'TRUNCATED',
      );
      assert.deepEqual(
        seen,
        sources.slice(0, -1).map((s) => s.name),
      );
    });

    it('fails with NO_MANIFEST when the first entry is not a manifest', async () => {
      const notFirst = handMadeTar([{ name: 'a.dcm', data: new Uint8Array(3) }]);
      await rejectsWith(all(readBundle(chunkedSource(notFirst, 100))), 'NO_MANIFEST');
      const empty = handMadeTar([]);
      await rejectsWith(all(readBundle(chunkedSource(empty, 100))), 'NO_MANIFEST');
      for (const text of [
        'not json',
        '{"v":2,"files":[]}',
        '{"v":1,"files":[{"name":"a","size":-1,"mediaType":""}]}',
      ]) {
        const bad = handMadeTar([{ name: MANIFEST_NAME, data: utf8(text) }]);
        await rejectsWith(all(readBundle(chunkedSource(bad, 100))), 'NO_MANIFEST');
      }
    });

    it('fails with MANIFEST_MISMATCH when entries differ from the manifest', async () => {
      const data = patternBytes(20);
      const manifest = (files: { name: string; size: number }[]): { name: string; data: Uint8Array } => ({
        name: MANIFEST_NAME,
        data: encodeManifest(files.map((f) => ({ ...f, mediaType: 'image/png' }))),
      });
      const cases = [
        handMadeTar([manifest([{ name: 'a.png', size: 20 }]), { name: 'b.png', data }]),
        handMadeTar([manifest([{ name: 'a.png', size: 21 }]), { name: 'a.png', data }]),
        handMadeTar([
          manifest([
            { name: 'a.png', size: 20 },
            { name: 'b.png', size: 20 },
          ]),
          { name: 'a.png', data },
        ]),
        handMadeTar([
          manifest([{ name: 'a.png', size: 20 }]),
          { name: 'a.png', data },
          { name: 'b.png', data },
        ]),
      ];
      for (const tar of cases)
        await rejectsWith(all(readBundle(chunkedSource(tar, 100))), 'MANIFEST_MISMATCH');
    });

    it('enforces the entry-count, manifest and entry-size limits', async () => {
      const files = Array.from({ length: MAX_ENTRIES + 1 }, (_, i) => ({
        name: `${i}`,
        size: 0,
        mediaType: '',
      }));
      const tooMany = handMadeTar([{ name: MANIFEST_NAME, data: encodeManifest(files) }]);
      await rejectsWith(all(readBundle(chunkedSource(tooMany, 65536))), 'LIMIT_EXCEEDED');
      const hugeManifest = handMadeTar([{ name: MANIFEST_NAME, data: new Uint8Array(1024 * 1024 + 1) }]);
      await rejectsWith(all(readBundle(chunkedSource(hugeManifest, 65536))), 'LIMIT_EXCEEDED');
      const bytes = await bundleOf(sources);
      await rejectsWith(all(readBundle(chunkedSource(bytes, 4096), { maxEntrySize: 999 })), 'LIMIT_EXCEEDED');
    });

    it('accepts zero padding after the end marker but not other trailing data', async () => {
      const bytes = await bundleOf(sources);
      const padded = concatBytes([bytes, new Uint8Array(10 * BLOCK_SIZE)]);
      checkEntries(await all(readBundle(chunkedSource(padded, 4096))), sources);
      const trailing = concatBytes([bytes, new Uint8Array(5000), Uint8Array.of(1)]);
      await rejectsWith(all(readBundle(chunkedSource(trailing, 4096))), 'TRAILING_DATA');
    });
  });
});
