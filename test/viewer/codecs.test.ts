// Codec conformance: every transfer syntax a PACS commonly sends, produced from uncompressed sources by
// encoders we did not write (dcmtk, GDCM, OpenJPH), decoded by the viewer's own path (the WebAssembly
// codecs the browser loads), and compared pixel by pixel with an independent decoder's rendering.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  type DecodedFrame,
  type DicomImage,
  type FrameCodec,
  decodeFrame,
  parseDicom,
  renderVoiLut,
  renderWindowLevel,
} from 'medshare-gateway-app/dist/viewer';
import { nodeCodec } from 'medshare-gateway-app/dist/viewer/testing';
import { dicomSamples } from '../support/dicom-samples';
import type { Voi } from '../support/dicom-tools';
import { writeIn } from '../support/dicom-tools';
import { VARIANTS, compare, reference } from '../support/dicom-variants';

function voiFor(image: DicomImage, frame: DecodedFrame): Voi {
  if (frame.kind === 'rgb') return 'none';
  // Lossy encoders drop the VOI LUT, which no longer fits the values.
  if (image.voiLut) return 'voi-lut';
  return { center: (frame.min + frame.max + 1) / 2, width: Math.max(2, frame.max - frame.min + 1) };
}

describe('codec conformance against dcmtk, GDCM and OpenJPH', () => {
  let work: string;
  let codec: FrameCodec;
  const results: { sample: string; variant: string; ok: boolean; detail: string }[] = [];

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'medshare-codecs-'));
    codec = await nodeCodec();
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  for (const sample of dicomSamples()) {
    it(`decodes ${sample.name} in every syntax that can hold it as the reference decoders do`, async () => {
      const source = await writeIn(work, `${sample.name}.dcm`, sample.bytes);
      for (const variant of VARIANTS.filter((v) => v.applies(sample))) {
        const file = join(work, `${sample.name}-${variant.name}.dcm`);
        const record = (ok: boolean, detail: string) =>
          results.push({ sample: sample.name, variant: variant.name, ok, detail });
        try {
          await variant.encode(source, file, sample, work);
        } catch (error) {
          record(false, `encoder failed: ${(error as Error).message.split('\n')[0] ?? ''}`);
          continue;
        }
        try {
          const image = parseDicom(new Uint8Array(await readFile(file)));
          for (let f = 0; f < sample.frames && (variant.reference !== 'openjph' || f === 0); f++) {
            const frame = await decodeFrame(image, f, codec);
            const voi = voiFor(image, frame);
            const theirs = await reference(variant, file, work, f, voi);
            assert.equal(theirs.width, frame.width);
            const invert = image.photometricInterpretation === 'MONOCHROME1';
            const rendered =
              frame.kind === 'rgb'
                ? frame.rgba
                : voi === 'voi-lut' && image.voiLut
                  ? renderVoiLut(frame, image.voiLut, invert)
                  : renderWindowLevel(
                      frame,
                      voi === 'none' || voi === 'voi-lut' ? { center: 0, width: 1 } : voi,
                      invert,
                    );
            const { max, over2 } = compare(rendered, theirs);
            const limit = variant.lossy ? 4 : frame.kind === 'rgb' ? 2 : 1;
            const ok = max <= limit && (!variant.lossy || over2 <= theirs.samples.length / 100);
            record(ok, `frame ${f + 1}: max difference ${max}, ${over2} samples off by more than 2`);
            if (!ok) break;
          }
        } catch (error) {
          record(false, `viewer failed: ${(error as Error).message}`);
        }
      }
      const mine = results.filter((r) => r.sample === sample.name);
      const failed = mine.filter((r) => !r.ok);
      assert.ok(mine.length >= 4, `${sample.name}: only ${mine.length} variants`);
      assert.deepEqual(failed, [], failed.map((r) => `${r.variant}: ${r.detail}`).join('\n'));
    });
  }

  it('covers every syntax family and reports how many render correctly', (t) => {
    const ok = results.filter((r) => r.ok).length;
    t.diagnostic(
      `codec conformance: ${ok} of ${results.length} sample × syntax files render as the reference decoders do`,
    );
    for (const variant of VARIANTS) {
      const checked = results.filter((r) => r.variant === variant.name);
      t.diagnostic(`  ${variant.name.padEnd(20)} ${checked.filter((r) => r.ok).length}/${checked.length}`);
      assert.ok(checked.length > 0, `${variant.name} was never checked`);
    }
    assert.ok(results.length >= 100, `only ${results.length} files checked`);
  });
});
