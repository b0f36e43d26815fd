import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkFileKind } from './file-kind';
import { syntheticStudy } from './synthetic';

const [dicom] = syntheticStudy({ slices: 1, rows: 8, columns: 8, bits: 8, transferSyntax: 'explicit-le' });
const dicomBytes = dicom?.bytes ?? new Uint8Array();
const check = (bytes: Uint8Array, name: string, otherwise?: string, declared?: string) =>
  checkFileKind(
    { head: bytes.subarray(0, 65536), size: bytes.length, name, ...(declared ? { declared } : {}) },
    otherwise,
  );

describe('checkFileKind', () => {
  it('accepts DICOM Part 10 whatever it is called, and PNG and JPEG by their signatures', () => {
    assert.deepEqual(check(dicomBytes, 'slice.dcm'), { ok: true, mediaType: 'application/dicom' });
    assert.deepEqual(check(dicomBytes, 'IM0001'), { ok: true, mediaType: 'application/dicom' });
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0);
    assert.deepEqual(check(png, 'photo.dcm'), { ok: true, mediaType: 'image/png' });
    assert.deepEqual(check(Uint8Array.of(0xff, 0xd8, 0xff, 0xe0), 'x'), {
      ok: true,
      mediaType: 'image/jpeg',
    });
  });

  it('refuses an empty file, a random file named or declared DICOM, and a damaged DICOM header', () => {
    const refused = (kind: ReturnType<typeof check>) => (kind.ok ? 'accepted' : kind.code);
    assert.equal(refused(check(new Uint8Array(0), 'empty.dcm')), 'EMPTY_FILE');
    const random = Uint8Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256);
    assert.equal(refused(check(random, 'random.dcm')), 'NOT_DICOM');
    assert.equal(
      refused(check(random, 'random.bin', 'application/octet-stream', 'application/dicom')),
      'NOT_DICOM',
    );
    const damaged = dicomBytes.slice(0, 140);
    assert.equal(refused(check(damaged, 'cut.dcm')), 'NOT_DICOM');
    const result = check(random, 'random.dcm');
    assert.ok(!result.ok && result.reason.includes('random.dcm is not a DICOM Part 10 file'));
  });

  it('gives other files the fallback media type, or refuses them when there is none', () => {
    const text = new TextEncoder().encode('a report');
    assert.deepEqual(check(text, 'report.txt', 'text/plain'), { ok: true, mediaType: 'text/plain' });
    const unknown = check(text, 'report.txt');
    assert.ok(!unknown.ok && unknown.code === 'UNKNOWN_KIND');
  });
});
