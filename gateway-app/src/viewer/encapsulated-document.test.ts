import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readEncapsulatedDocument } from './encapsulated-document';
import { monochrome16, writeDicom } from './testing';

const PDF = new TextEncoder().encode('%PDF-1.4\n% a synthetic report.\n%%EOF\n');

describe('readEncapsulatedDocument', () => {
  it('returns the PDF of an Encapsulated PDF object, without its pad byte', () => {
    const file = writeDicom(
      {
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.104.1',
        DocumentTitle: 'Synthetic report',
        MIMETypeOfEncapsulatedDocument: 'application/pdf',
        EncapsulatedDocument: [PDF.slice().buffer],
        _vrMap: { EncapsulatedDocument: 'OB' },
      },
      '1.2.840.10008.1.2.1',
    );
    const document = readEncapsulatedDocument(file);
    assert.equal(document?.mediaType, 'application/pdf');
    assert.equal(document.title, 'Synthetic report');
    assert.deepEqual([...document.bytes], [...PDF]);
  });

  it('returns nothing for an image, or for what is not DICOM', () => {
    const image = writeDicom(monochrome16(1, 1, new Uint8Array(2).buffer), '1.2.840.10008.1.2.1');
    assert.equal(readEncapsulatedDocument(image), undefined);
    assert.equal(readEncapsulatedDocument(PDF), undefined);
  });
});
