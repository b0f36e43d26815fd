// De-identification on the device, checked from outside: files carrying identifying attributes (nested
// and private ones too) in every transfer syntax dcmtk and GDCM can make of them are de-identified with
// the Basic Profile, then read back by dcmtk's dcmdump, an independent parser, and decoded by the viewer.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import * as dcmjs from 'dcmjs';
import { syntheticStudy } from 'medshare-gateway-app';
import {
  DUMMY_TEXT,
  DeidentifyError,
  Deidentifier,
  basicProfileAction,
  treatmentOf,
} from 'medshare-gateway-app/dist/deidentify';
import { decodeFrame, parseDicom, type FrameCodec } from 'medshare-gateway-app/dist/viewer';
import { nodeCodec } from 'medshare-gateway-app/dist/viewer/testing';
import { tool } from '../support/dicom-tools';
import { VARIANTS } from '../support/dicom-variants';

interface Element {
  vr: string;
  Value?: unknown[];
}
type Dataset = Record<string, Element>;

/** Identifying values planted in the sources; none may survive. */
const SECRETS = {
  name: 'DOE^JANE^Q',
  id: 'MRN-99887766',
  address: '12 Hidden Lane, Springfield',
  referrer: 'HOUSE^GREGORY',
  institution: 'St. Elsewhere General',
  accession: 'ACC-55501',
  station: 'CT-ROOM-7-WEST',
  serial: 'SN-00042-XJ',
  otherId: 'OTHER-ID-314',
  privateValue: 'VIP patient, room 12',
  seriesDescription: 'CT chest for Jane Doe',
  operator: 'SMITH^ANNA',
};

/** Planted attributes, written with dcmjs into a synthetic CT slice. */
function plant(source: Uint8Array, referencedSopInstance: string): Uint8Array<ArrayBuffer> {
  const parsed = dcmjs.data.DicomMessage.readFile(source.slice().buffer);
  const dict = parsed.dict as Dataset;
  const set = (tag: string, vr: string, value: unknown[]) => (dict[tag] = { vr, Value: value });
  set('00100010', 'PN', [{ Alphabetic: SECRETS.name }]);
  set('00100020', 'LO', [SECRETS.id]);
  set('00100030', 'DA', ['19610704']);
  set('00101040', 'LO', [SECRETS.address]);
  set('00080090', 'PN', [{ Alphabetic: SECRETS.referrer }]);
  set('00080080', 'LO', [SECRETS.institution]);
  set('00080050', 'SH', [SECRETS.accession]);
  set('00081010', 'SH', [SECRETS.station]);
  set('00181000', 'LO', [SECRETS.serial]);
  set('0008103e', 'LO', [SECRETS.seriesDescription]);
  set('00081070', 'PN', [{ Alphabetic: SECRETS.operator }]);
  set('00080020', 'DA', ['20260301']);
  set('00080030', 'TM', ['101500']);
  set('00280301', 'CS', ['NO']);
  set('00101002', 'SQ', [{ '00100020': { vr: 'LO', Value: [SECRETS.otherId] } }]);
  // A reference to another instance of the study, which must still resolve after UIDs are replaced.
  set('00081140', 'SQ', [
    {
      '00081150': { vr: 'UI', Value: ['1.2.840.10008.5.1.4.1.1.2'] },
      '00081155': { vr: 'UI', Value: [referencedSopInstance] },
    },
  ]);
  set('00090010', 'LO', ['ACME_PRIVATE']);
  set('00091001', 'LO', [SECRETS.privateValue]);
  return new Uint8Array(parsed.write({ fragmentMultiframe: false }));
}

async function dump(file: string): Promise<string> {
  return tool('dcmdump', ['-q', '+L', file]);
}

/** The value dcmdump shows for a top-level attribute, `(no value available)` as '', or undefined if absent. */
function shown(dumped: string, tag: string): string | undefined {
  const [group, element] = [tag.slice(0, 4), tag.slice(4)];
  const line = dumped.split('\n').find((l) => l.toLowerCase().startsWith(`(${group},${element})`));
  if (line === undefined) return undefined;
  if (line.includes('(no value available)')) return '';
  return /\[(.*?)\]/.exec(line)?.[1] ?? line;
}

describe('de-identification with the PS3.15 Basic Profile', { timeout: 300_000 }, () => {
  let work: string;
  let codec: FrameCodec;
  const slices = syntheticStudy({
    slices: 2,
    rows: 48,
    columns: 40,
    bits: 16,
    transferSyntax: 'explicit-le',
    seed: 77,
  });
  const uidOf = (bytes: Uint8Array, tag: string) =>
    (dcmjs.data.DicomMessage.readFile(bytes.slice().buffer).dict as Dataset)[tag.toUpperCase()]
      ?.Value?.[0] as string;
  const [first, second] = slices.map((s) => s.bytes);
  assert.ok(first && second);
  const originals = {
    study: uidOf(first, '0020000d'),
    series: uidOf(first, '0020000e'),
    sop1: uidOf(first, '00080018'),
    sop2: uidOf(second, '00080018'),
    frame: uidOf(first, '00200052'),
  };
  // The first slice refers to the second.
  const sources = [plant(first, originals.sop2), plant(second, originals.sop1)] as const;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'medshare-deid-'));
    codec = await nodeCodec();
  });
  after(async () => {
    await rm(work, { recursive: true, force: true });
  });

  it('removes, empties or replaces every planted attribute as Table E.1-1 says; dcmdump reads the result', async () => {
    const deidentifier = new Deidentifier();
    const outs = sources.map((s) => deidentifier.deidentify(s));
    const [a, b] = await Promise.all(
      outs.map(async (bytes, i) => {
        const file = join(work, `out-${String(i)}.dcm`);
        await writeFile(file, bytes);
        return dump(file);
      }),
    );
    assert.ok(a && b);
    for (const secret of [
      ...Object.values(SECRETS),
      ...Object.values(originals),
      '19610704',
      '20260301',
      'ACME',
    ]) {
      assert.ok(!a.includes(secret) && !b.includes(secret), `"${secret}" is gone`);
    }
    // The profile's rows, read from PS3.15 here rather than from our table: Z, X, D (or Z/D) and U.
    assert.equal(shown(a, '00100010'), '', "Patient's Name: Z");
    assert.equal(shown(a, '00100020'), DUMMY_TEXT, 'Patient ID: Z/D');
    assert.equal(shown(a, '00100030'), '', "Patient's Birth Date: Z");
    assert.equal(shown(a, '00101040'), undefined, "Patient's Address: X");
    assert.equal(shown(a, '00101002'), undefined, 'Other Patient IDs Sequence: X');
    assert.equal(shown(a, '00080090'), '', "Referring Physician's Name: Z");
    assert.equal(shown(a, '00080080'), DUMMY_TEXT, 'Institution Name: X/Z/D');
    assert.equal(shown(a, '00080050'), '', 'Accession Number: Z');
    assert.equal(shown(a, '00081010'), DUMMY_TEXT, 'Station Name: X/Z/D');
    assert.equal(shown(a, '0008103e'), undefined, 'Series Description: X');
    assert.equal(shown(a, '00080020'), '', 'Study Date: Z');
    assert.equal(shown(a, '00090010'), undefined, 'private creator removed');
    assert.equal(shown(a, '00091001'), undefined, 'private attribute removed');
    assert.equal(shown(a, '00120062'), 'YES', 'Patient Identity Removed');
    assert.match(a, /\(0008,0100\) SH \[113100\]/, 'De-identification Method Code Sequence: DCM 113100');
    // UIDs replaced consistently within the set: one study, one series, one frame of reference, and the
    // reference from one slice to the other resolves to the other's new SOP Instance UID.
    for (const tag of ['0020000d', '0020000e', '00200052']) {
      assert.equal(shown(a, tag), shown(b, tag), `${tag} is the same in both files`);
      assert.match(shown(a, tag) ?? '', /^2\.25\.\d+$/);
    }
    assert.match(
      a,
      new RegExp(`\\(0008,1155\\) UI \\[${(shown(b, '00080018') ?? '').replace(/\./g, '\\.')}\\]`),
    );
    // Another set gets other UIDs: two de-identified copies of a study cannot be linked by them.
    const again = new Deidentifier().deidentify(sources[0]);
    assert.notEqual(uidOf(again, '0020000d'), uidOf(outs[0] ?? again, '0020000d'));
  });

  it('leaves no attribute the table lists in a form the table does not allow, at any depth', () => {
    const out = new Deidentifier().deidentify(sources[0]);
    const parsed = dcmjs.data.DicomMessage.readFile(out.slice().buffer);
    const check = (dataset: Dataset, path: string) => {
      for (const [tag, element] of Object.entries(dataset)) {
        assert.equal(Number.parseInt(tag.slice(0, 4), 16) % 2, 0, `${path}${tag}: no private attribute`);
        const action = basicProfileAction(tag);
        const values = element.Value ?? [];
        // dcmjs reads a zero-length string as one empty value.
        const present = values.filter((v) => v !== '' && v !== null);
        switch (action && treatmentOf(action)) {
          case 'remove':
            assert.fail(`${path}${tag} (${String(action)}) should be gone`);
            break;
          case 'empty':
            assert.equal(present.length, 0, `${path}${tag} (${String(action)}) is empty`);
            break;
          case 'dummy':
            if (element.vr === 'SQ' || element.vr === 'UI') break;
            assert.ok(present.length === 1, `${path}${tag} (${String(action)}) holds one dummy value`);
            break;
          default:
            break;
        }
        if (element.vr === 'SQ') for (const item of values) check(item as Dataset, `${path}${tag}>`);
      }
    };
    check(parsed.dict, '');
  });

  it('keeps the pixels exactly, in every transfer syntax dcmtk, GDCM and OpenJPH write', async (t) => {
    const source = join(work, 'planted.dcm');
    await writeFile(source, sources[0]);
    const sample = { name: 'ct', bytes: sources[0], bitsStored: 12, colour: false, frames: 1 };
    const done: string[] = [];
    for (const variant of VARIANTS.filter((v) => v.applies(sample))) {
      const file = join(work, `planted-${variant.name}.dcm`);
      try {
        await variant.encode(source, file, sample, work);
      } catch {
        continue; // an encoder that cannot take this source; the codec test covers encoders
      }
      const input = new Uint8Array(await readFile(file));
      const output = new Deidentifier().deidentify(input);
      const deidentified = join(work, `deid-${variant.name}.dcm`);
      await writeFile(deidentified, output);
      const dumped = await dump(deidentified);
      assert.equal(shown(dumped, '00100010'), '', `${variant.name}: dcmdump reads the result`);
      assert.ok(!dumped.includes(SECRETS.privateValue), variant.name);
      const before = await decodeFrame(parseDicom(input), 0, codec);
      const after = await decodeFrame(parseDicom(output), 0, codec);
      assert.equal(after.kind, before.kind);
      assert.deepEqual(
        after.kind === 'gray' && before.kind === 'gray' ? [...after.values] : [],
        before.kind === 'gray' ? [...before.values] : [],
        `${variant.name}: the pixels are unchanged`,
      );
      done.push(variant.name);
    }
    assert.ok(done.length >= 8, `checked ${done.join(', ')}`);
    t.diagnostic(`de-identified and decoded: ${done.join(', ')}`);
  });

  it('refuses a file that declares burned-in annotation, and a file that is not DICOM', () => {
    const parsed = dcmjs.data.DicomMessage.readFile(sources[0].slice().buffer);
    (parsed.dict as Dataset)['00280301'] = { vr: 'CS', Value: ['YES'] };
    const burned = new Uint8Array(parsed.write());
    assert.throws(
      () => new Deidentifier().deidentify(burned),
      (e: unknown) => e instanceof DeidentifyError && e.code === 'BURNED_IN_ANNOTATION',
    );
    assert.throws(
      () => new Deidentifier().deidentify(new TextEncoder().encode('not a DICOM file at all')),
      (e: unknown) => e instanceof DeidentifyError && e.code === 'NOT_DICOM',
    );
  });
});
