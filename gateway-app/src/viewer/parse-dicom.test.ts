import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { syntheticStudy } from '../study/synthetic';
import { ViewerError, type ViewerErrorCode } from './errors';
import { parseDicom, readDicomTags } from './parse-dicom';
import { monochrome16, replaceAscii, writeDicom } from './testing';

const EXPLICIT_LE = '1.2.840.10008.1.2.1';

function throwsWith(fn: () => unknown, code: ViewerErrorCode, message?: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ViewerError, `expected a ViewerError, got ${String(error)}`);
    assert.equal(error.name, 'ViewerError');
    assert.equal(error.code, code, error.message);
    if (message !== undefined) assert.match(error.message, message);
    return true;
  });
}

const image = (extra: Record<string, unknown> = {}): Record<string, unknown> =>
  monochrome16(2, 2, new Uint8Array(8).buffer, extra);

const [synthetic] = syntheticStudy({
  slices: 1,
  rows: 8,
  columns: 8,
  bits: 16,
  transferSyntax: 'explicit-le',
});
const syntheticBytes = synthetic?.bytes ?? new Uint8Array();

describe('parseDicom', () => {
  it('reads the key tags and the image attributes', () => {
    const parsed = parseDicom(syntheticBytes);
    assert.equal(parsed.patientName, 'SYNTHETIC^PATIENT');
    assert.equal(parsed.patientBirthDate, '19700101');
    assert.equal(parsed.patientSex, 'O');
    assert.equal(parsed.studyTime, '093000');
    assert.equal(parsed.studyDescription, 'Synthetic phantom study');
    assert.equal(parsed.seriesDescription, 'Synthetic phantom, 16-bit explicit-le');
    assert.equal(parsed.rescaleSlope, 1);
    assert.equal(parsed.planarConfiguration, 0);
    assert.equal(parsed.highBit, 11);
    assert.equal(parsed.littleEndian, true);
    assert.deepEqual(parsed.pixelData, {
      encapsulated: false,
      offset: parsed.pixelData.encapsulated ? 0 : parsed.pixelData.offset,
      length: 128,
      swappedPairs: false,
    });
  });

  it('defaults what the file leaves out and takes the first of several window values', () => {
    const parsed = parseDicom(
      writeDicom(
        image({
          BitsStored: undefined,
          HighBit: undefined,
          WindowCenter: [100, 300],
          WindowWidth: [50, 500],
        }),
        EXPLICIT_LE,
      ),
    );
    assert.equal(parsed.bitsStored, 16);
    assert.equal(parsed.highBit, 15);
    assert.equal(parsed.rescaleSlope, 1);
    assert.equal(parsed.rescaleIntercept, 0);
    assert.equal(parsed.numberOfFrames, 1);
    assert.equal(parsed.windowCenter, 100);
    assert.equal(parsed.windowWidth, 50);
    assert.equal(parsed.patientName, undefined);
    assert.equal(parsed.instanceNumber, undefined);
  });

  it('decodes names as UTF-8 under ISO_IR 192', () => {
    const parsed = parseDicom(
      writeDicom(image({ SpecificCharacterSet: 'ISO_IR 192', PatientName: 'MÜLLER^JÖRG' }), EXPLICIT_LE),
    );
    assert.equal(parsed.patientName, 'MÜLLER^JÖRG');
  });

  it('refuses what is not DICOM Part 10 with NOT_DICOM', () => {
    throwsWith(() => parseDicom(new Uint8Array(0)), 'NOT_DICOM');
    throwsWith(
      () => parseDicom(Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Uint8Array(200))),
      'NOT_DICOM',
    );
    throwsWith(() => parseDicom(syntheticBytes.slice(0, 140)), 'NOT_DICOM');
    throwsWith(() => readDicomTags(new Uint8Array(300)), 'NOT_DICOM');
  });

  it('refuses a file without pixel data with NO_PIXEL_DATA, though its tags can be read', () => {
    const bytes = writeDicom({ PatientID: 'SYN-0002', Modality: 'SR' }, EXPLICIT_LE);
    throwsWith(() => parseDicom(bytes), 'NO_PIXEL_DATA');
    assert.equal(readDicomTags(bytes).patientId, 'SYN-0002');
  });

  it('refuses other transfer syntaxes with UNSUPPORTED_TRANSFER_SYNTAX, naming them', () => {
    const mpeg = writeDicom(image({ PatientID: 'SYN-0001' }), '1.2.840.10008.1.2.4.100');
    throwsWith(
      () => parseDicom(mpeg),
      'UNSUPPORTED_TRANSFER_SYNTAX',
      /MPEG2 Main Profile \/ Main Level \(1\.2\.840\.10008\.1\.2\.4\.100\)/,
    );
    assert.equal(readDicomTags(mpeg).patientId, 'SYN-0001');
    const unknown = replaceAscii(syntheticBytes, EXPLICIT_LE, '1.2.840.99999.1.2.3');
    throwsWith(() => parseDicom(unknown), 'UNSUPPORTED_TRANSFER_SYNTAX', /1\.2\.840\.99999\.1\.2\.3/);
  });

  it('refuses pixels it cannot show with UNSUPPORTED_FORMAT', () => {
    const cases = [
      image({ BitsAllocated: 12, BitsStored: 12, HighBit: 11 }),
      image({ PhotometricInterpretation: 'PALETTE COLOR' }),
      image({ SamplesPerPixel: 3, PhotometricInterpretation: 'YBR_ICT' }),
      image({
        SamplesPerPixel: 3,
        BitsAllocated: 32,
        BitsStored: 32,
        HighBit: 31,
        PhotometricInterpretation: 'RGB',
      }),
      image({ BitsAllocated: 1, BitsStored: 1, HighBit: 0, PhotometricInterpretation: 'PALETTE COLOR' }),
      image({ SamplesPerPixel: 2 }),
      image({ BitsStored: 17 }),
      image({ BitsStored: 12, HighBit: 3 }),
      image({ Rows: undefined }),
    ];
    for (const dataset of cases)
      throwsWith(() => parseDicom(writeDicom(dataset, EXPLICIT_LE)), 'UNSUPPORTED_FORMAT');
  });

  it('refuses native pixel data shorter than the attributes say with BAD_PIXEL_DATA', () => {
    throwsWith(() => parseDicom(writeDicom(image({ NumberOfFrames: 2 }), EXPLICIT_LE)), 'BAD_PIXEL_DATA');
    const rleNotEncapsulated = replaceAscii(syntheticBytes, EXPLICIT_LE, '1.2.840.10008.1.2.5');
    throwsWith(() => parseDicom(rleNotEncapsulated), 'BAD_PIXEL_DATA', /not encapsulated/);
  });
});
