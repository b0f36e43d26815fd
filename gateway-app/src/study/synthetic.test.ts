import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type DecodedFrame,
  type GrayFrame,
  decodeFrame,
  defaultWindow,
  parseDicom,
  renderWindowLevel,
} from '../viewer';
import { nodeCodec } from '../viewer/testing';
import { SYNTHETIC_IDENTITY, type SyntheticStudyOptions, syntheticPixels, syntheticStudy } from './synthetic';

const TRANSFER_SYNTAX_UIDS = {
  'explicit-le': '1.2.840.10008.1.2.1',
  'implicit-le': '1.2.840.10008.1.2',
  'jpeg-baseline': '1.2.840.10008.1.2.4.50',
} as const;

function gray(frame: DecodedFrame): GrayFrame {
  assert.equal(frame.kind, 'gray');
  return frame;
}

const cases: SyntheticStudyOptions[] = [
  { slices: 4, rows: 48, columns: 40, bits: 16, transferSyntax: 'explicit-le' },
  { slices: 3, rows: 32, columns: 32, bits: 16, transferSyntax: 'explicit-le', signed: true },
  { slices: 3, rows: 33, columns: 17, bits: 16, transferSyntax: 'implicit-le', seed: 7 },
  { slices: 2, rows: 24, columns: 24, bits: 16, transferSyntax: 'implicit-le', signed: true, modality: 'MR' },
  { slices: 3, rows: 40, columns: 64, bits: 8, transferSyntax: 'explicit-le' },
  { slices: 2, rows: 7, columns: 5, bits: 8, transferSyntax: 'implicit-le' },
  { slices: 5, rows: 64, columns: 64, bits: 8, transferSyntax: 'jpeg-baseline' },
  { slices: 2, rows: 37, columns: 21, bits: 8, transferSyntax: 'jpeg-baseline', seed: 3 },
];

describe('synthetic studies', () => {
  for (const options of cases) {
    const label = `${options.bits}-bit ${options.transferSyntax}${options.signed === true ? ' signed' : ''} ${options.rows ?? 0}×${options.columns ?? 0}`;
    it(`round-trips ${label} through parseDicom and decodeFrame`, async () => {
      const files = syntheticStudy(options);
      assert.equal(files.length, options.slices);
      const images = files.map((f) => parseDicom(f.bytes));
      for (const [i, image] of images.entries()) {
        assert.equal(files[i]?.name, `slice-${String(i + 1).padStart(3, '0')}.dcm`);
        assert.equal(image.transferSyntaxUid, TRANSFER_SYNTAX_UIDS[options.transferSyntax]);
        assert.equal(image.rows, options.rows);
        assert.equal(image.columns, options.columns);
        assert.equal(image.bitsAllocated, options.bits);
        assert.equal(image.samplesPerPixel, 1);
        assert.equal(image.photometricInterpretation, 'MONOCHROME2');
        assert.equal(image.numberOfFrames, 1);
        assert.equal(image.patientName, SYNTHETIC_IDENTITY.patientName);
        assert.equal(image.patientId, SYNTHETIC_IDENTITY.patientId);
        assert.equal(image.institutionName, SYNTHETIC_IDENTITY.institutionName);
        assert.equal(image.modality, options.modality ?? (options.bits === 16 ? 'CT' : 'OT'));
        assert.equal(image.studyDate, '20240131');
        assert.equal(image.instanceNumber, i + 1);
        assert.equal(image.sliceLocation, (i - (options.slices - 1) / 2) * 2.5);
        assert.equal(image.studyInstanceUid, images[0]?.studyInstanceUid);
        assert.equal(image.seriesInstanceUid, images[0]?.seriesInstanceUid);
        assert.match(image.sopInstanceUid ?? '', /^2\.25\.[1-9]\d*$/);
        if (options.bits === 16) {
          assert.equal(image.bitsStored, options.signed === true ? 16 : 12);
          assert.equal(image.pixelRepresentation, options.signed === true ? 1 : 0);
          assert.equal(image.rescaleIntercept, options.signed === true ? 0 : -1024);
          assert.deepEqual([image.windowCenter, image.windowWidth], [40, 400]);
        }

        const frame = gray(await decodeFrame(image, 0, await nodeCodec()));
        const expected = syntheticPixels(options, i);
        assert.equal(frame.values.length, expected.length);
        if (options.transferSyntax === 'jpeg-baseline') {
          let total = 0;
          let worst = 0;
          for (const [k, v] of frame.values.entries()) {
            const error = Math.abs(v - (expected[k] ?? 0));
            total += error;
            worst = Math.max(worst, error);
          }
          assert.ok(total / expected.length < 3, `mean error ${total / expected.length}`);
          assert.ok(worst < 64, `largest error ${worst}`);
        } else {
          assert.deepEqual(Array.from(frame.values), Array.from(expected));
          assert.equal(frame.min, Math.min(...expected));
          assert.equal(frame.max, Math.max(...expected));
        }
      }
      assert.equal(new Set(images.map((image) => image.sopInstanceUid)).size, options.slices);
    });
  }

  it('spans −1024 to 3000 HU in 16-bit studies', async () => {
    const [file] = syntheticStudy({
      slices: 1,
      rows: 128,
      columns: 128,
      bits: 16,
      transferSyntax: 'explicit-le',
    });
    const frame = gray(await decodeFrame(parseDicom(file?.bytes ?? new Uint8Array())));
    assert.ok(frame.min >= -1024 && frame.min < -990, `min ${frame.min}`);
    assert.equal(frame.max, 3000);
  });

  it('writes the same bytes for the same seed, other UIDs for another seed', () => {
    const options: SyntheticStudyOptions = {
      slices: 2,
      rows: 16,
      columns: 16,
      bits: 8,
      transferSyntax: 'jpeg-baseline',
    };
    const a = syntheticStudy(options);
    const b = syntheticStudy(options);
    assert.deepEqual(a, b);
    const c = parseDicom(syntheticStudy({ ...options, seed: 2 })[0]?.bytes ?? new Uint8Array());
    assert.notEqual(c.studyInstanceUid, parseDicom(a[0]?.bytes ?? new Uint8Array()).studyInstanceUid);
  });

  it('changes visibly from slice to slice', () => {
    const options: SyntheticStudyOptions = {
      slices: 9,
      rows: 64,
      columns: 64,
      bits: 16,
      transferSyntax: 'explicit-le',
    };
    const first = syntheticPixels(options, 0);
    const middle = syntheticPixels(options, 4);
    let differing = 0;
    for (let i = 0; i < first.length; i++) if (Math.abs((first[i] ?? 0) - (middle[i] ?? 0)) > 50) differing++;
    assert.ok(differing > first.length / 20, `only ${differing} pixels differ`);
  });

  it('refuses options it cannot honour', () => {
    assert.throws(() => syntheticStudy({ slices: 0, bits: 8, transferSyntax: 'explicit-le' }), RangeError);
    assert.throws(() => syntheticStudy({ slices: 4097, bits: 8, transferSyntax: 'explicit-le' }), RangeError);
    assert.throws(() => syntheticStudy({ slices: 1, bits: 16, transferSyntax: 'jpeg-baseline' }), RangeError);
  });

  describe('windowing the synthetic CT', () => {
    const options: SyntheticStudyOptions = {
      slices: 3,
      rows: 64,
      columns: 64,
      bits: 16,
      transferSyntax: 'explicit-le',
    };

    it('maps the window centre to about 128, values below to 0 and above to 255', async () => {
      const image = parseDicom(syntheticStudy(options)[1]?.bytes ?? new Uint8Array());
      const frame = gray(await decodeFrame(image));
      const window = defaultWindow(image, frame);
      assert.deepEqual(window, { center: 40, width: 400 });
      const rgba = renderWindowLevel(frame, window, false);
      assert.equal(rgba.length, frame.values.length * 4);
      let below = 0;
      let above = 0;
      let centre = 0;
      for (const [i, v] of frame.values.entries()) {
        const y = rgba[i * 4] ?? -1;
        assert.equal(rgba[i * 4 + 1], y);
        assert.equal(rgba[i * 4 + 2], y);
        assert.equal(rgba[i * 4 + 3], 255);
        if (v <= 40 - 200) {
          assert.equal(y, 0);
          below++;
        } else if (v > 40 + 199) {
          assert.equal(y, 255);
          above++;
        } else if (v === 40) {
          assert.ok(Math.abs(y - 128) <= 1, `centre maps to ${y}`);
          centre++;
        }
      }
      assert.ok(
        below > 0 && above > 0 && centre > 0,
        `${below} below, ${above} above, ${centre} at the centre`,
      );
      const inverted = renderWindowLevel(frame, window, true);
      for (let i = 0; i < rgba.length; i += 4) assert.equal(inverted[i], 255 - (rgba[i] ?? 0));
    });
  });
});
