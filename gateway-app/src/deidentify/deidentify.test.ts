import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BASIC_PROFILE } from './basic-profile';
import { basicProfileAction } from './deidentify';
import { treatmentOf } from './profile-action';
import { UidMap } from './uid-map';

describe('the Basic Profile table', () => {
  it('holds PS3.15 Table E.1-1: some 600 attributes, with the rows every profile must get right', () => {
    assert.ok(Object.keys(BASIC_PROFILE).length > 600);
    assert.equal(basicProfileAction('00100010'), 'Z', "Patient's Name");
    assert.equal(basicProfileAction('00101040'), 'X', "Patient's Address");
    assert.equal(basicProfileAction('0020000D'), 'U', 'Study Instance UID, whatever the case of the tag');
    assert.equal(basicProfileAction('50020010'), 'X', 'a curve, by its range row');
    assert.equal(basicProfileAction('60003000'), 'X', 'overlay data');
    assert.equal(basicProfileAction('60000010'), undefined, 'overlay rows are kept');
    assert.equal(basicProfileAction('00280010'), undefined, 'Rows is not in the table');
  });

  it('resolves compound actions to a form valid whatever the attribute\u2019s type', () => {
    assert.equal(treatmentOf('X/Z'), 'empty');
    assert.equal(treatmentOf('Z/D'), 'dummy');
    assert.equal(treatmentOf('X/Z/D'), 'dummy');
    assert.equal(treatmentOf('X/Z/U*'), 'remap-uids');
  });
});

describe('UidMap', () => {
  it('replaces a UID the same way under one key, unrelatedly under another, with valid 2.25 UIDs', () => {
    const key = new Uint8Array(32).fill(7);
    const one = new UidMap(key);
    const mapped = one.map('1.2.840.113619.2.55.3.1');
    assert.equal(new UidMap(key).map('1.2.840.113619.2.55.3.1'), mapped);
    assert.notEqual(one.map('1.2.840.113619.2.55.3.2'), mapped);
    assert.notEqual(new UidMap().map('1.2.840.113619.2.55.3.1'), mapped);
    assert.match(mapped, /^2\.25\.(0|[1-9]\d*)$/);
    assert.ok(mapped.length <= 64, 'a UID is at most 64 characters');
    assert.throws(() => new UidMap(new Uint8Array(8)), RangeError);
  });
});
