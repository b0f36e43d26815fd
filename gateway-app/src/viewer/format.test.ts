import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatDicomDate, formatDicomTime, formatPersonName } from './format';

describe('formatting', () => {
  it('formats DICOM dates', () => {
    assert.equal(formatDicomDate('20240131'), '2024-01-31');
    assert.equal(formatDicomDate('2024.01.31'), '2024-01-31');
    assert.equal(formatDicomDate('2024'), '2024');
    assert.equal(formatDicomDate(''), '');
  });

  it('formats DICOM times', () => {
    assert.equal(formatDicomTime('093000'), '09:30:00');
    assert.equal(formatDicomTime('153012.123456'), '15:30:12');
    assert.equal(formatDicomTime('1530'), '15:30');
    assert.equal(formatDicomTime('15:30:12'), '15:30:12');
    assert.equal(formatDicomTime('noon'), 'noon');
  });

  it('formats person names', () => {
    assert.equal(formatPersonName('DOE^JANE'), 'DOE, JANE');
    assert.equal(formatPersonName('SYNTHETIC^PATIENT'), 'SYNTHETIC, PATIENT');
    assert.equal(formatPersonName('DOE^JANE^Q^DR^JR'), 'DOE, DR JANE Q, JR');
    assert.equal(formatPersonName('DOE'), 'DOE');
    assert.equal(formatPersonName('^JANE'), 'JANE');
    assert.equal(formatPersonName('Yamada^Tarou=山田^太郎=やまだ^たろう'), 'Yamada, Tarou');
    assert.equal(formatPersonName(''), '');
  });
});
