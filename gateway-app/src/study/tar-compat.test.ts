import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readBundle } from './bundle-reader';
import { createBundleStream } from './bundle-writer';
import { MANIFEST_NAME } from './format';
import { encodeManifest } from './manifest';
import { chunkedSource, collect, patternBytes } from '../envelope/testing';
import { all } from './testing';

const tarAvailable = spawnSync('tar', ['--version']).status === 0;
const skip = tarAvailable ? false : 'the system tar is not installed';

const files = [
  { name: 'slice-001.dcm', mediaType: 'application/dicom', bytes: patternBytes(70_000, 1) },
  { name: 'photo é.jpg', mediaType: 'image/jpeg', bytes: patternBytes(513, 2) },
  { name: 'empty.png', mediaType: 'image/png', bytes: new Uint8Array(0) },
  { name: `${'n'.repeat(120)}.dcm`, mediaType: 'application/dicom', bytes: patternBytes(512, 3) },
];

describe('compatibility with the system tar', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'medshare-bundle-'));
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('writes a bundle that tar -x extracts to the same files', async () => {
    const bundle = await collect(
      createBundleStream(
        files.map((f) => ({
          name: f.name,
          size: f.bytes.length,
          mediaType: f.mediaType,
          lastModified: Date.UTC(2024, 0, 31),
          stream: () => chunkedSource(f.bytes, 1000),
        })),
      ),
    );
    const archive = join(dir, 'bundle.tar');
    const out = join(dir, 'out');
    writeFileSync(archive, bundle);
    mkdirSync(out);
    const listed = spawnSync('tar', ['-tf', archive], { encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    const names = [MANIFEST_NAME, 'slice-001.dcm', 'photo é.jpg', 'empty.png', `${'n'.repeat(96)}.dcm`];
    assert.deepEqual(listed.stdout.trimEnd().split('\n'), names);
    const extracted = spawnSync('tar', ['-xf', archive, '-C', out], { encoding: 'utf8' });
    assert.equal(extracted.status, 0, extracted.stderr);
    assert.equal(extracted.stderr, '');
    assert.deepEqual(readdirSync(out).sort(), [...names].sort());
    for (const [i, f] of files.entries()) {
      assert.deepEqual(new Uint8Array(readFileSync(join(out, names[i + 1] ?? ''))), f.bytes);
    }
    const manifest: unknown = JSON.parse(readFileSync(join(out, MANIFEST_NAME), 'utf8'));
    assert.deepEqual(manifest, {
      v: 1,
      files: files.map((f, i) => ({ name: names[i + 1], size: f.bytes.length, mediaType: f.mediaType })),
    });
  });

  it('reads a bundle that tar -c made, with its padding to a 10 KiB record', async () => {
    const src = join(dir, 'src');
    mkdirSync(src);
    writeFileSync(join(src, 'a.dcm'), patternBytes(1234, 9));
    writeFileSync(join(src, 'b.png'), patternBytes(10, 8));
    const listedFiles = [
      { name: 'a.dcm', size: 1234, mediaType: 'application/dicom' },
      { name: 'b.png', size: 10, mediaType: 'image/png' },
    ];
    writeFileSync(join(src, MANIFEST_NAME), encodeManifest(listedFiles));
    const archive = join(dir, 'made-by-tar.tar');
    const made = spawnSync(
      'tar',
      ['--format=ustar', '-cf', archive, '-C', src, MANIFEST_NAME, 'a.dcm', 'b.png'],
      {
        encoding: 'utf8',
      },
    );
    assert.equal(made.status, 0, made.stderr);
    const bytes = new Uint8Array(readFileSync(archive));
    assert.equal(bytes.length % 10240, 0);
    const entries = await all(readBundle(chunkedSource(bytes, 4096)));
    assert.deepEqual(
      entries.map((e) => [e.name, e.size, e.mediaType]),
      listedFiles.map((f) => [f.name, f.size, f.mediaType]),
    );
    assert.deepEqual(entries[0]?.bytes, patternBytes(1234, 9));
  });
});
