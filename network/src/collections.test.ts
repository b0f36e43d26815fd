import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { collectionsConfig, pairCollectionName } from './collections';
import { validateDescription } from './description';
import { planNetwork } from './topology';

describe('private data collections', () => {
  const plan = planNetwork(
    validateDescription(parse(readFileSync(resolve(__dirname, '..', 'consortium.yaml'), 'utf8'))),
    {
      repoDir: '/r',
    },
  );

  it('defines one collection per organisation and per pair of them, named independently of order', () => {
    const names = collectionsConfig(plan).map((c) => c.name);
    assert.deepEqual(names, [
      'org-HospitalAMSP',
      'org-HospitalBMSP',
      'org-ImagingMSP',
      'pdc-HospitalAMSP-HospitalBMSP',
      'pdc-HospitalAMSP-ImagingMSP',
      'pdc-HospitalBMSP-ImagingMSP',
    ]);
    assert.equal(
      pairCollectionName('ImagingMSP', 'HospitalAMSP'),
      pairCollectionName('HospitalAMSP', 'ImagingMSP'),
    );
  });

  it('lets only the pair hold, read and write the data, and requires both to endorse a write', () => {
    const c = collectionsConfig(plan).find((x) => x.name === 'pdc-HospitalAMSP-HospitalBMSP');
    assert.ok(c);
    assert.equal(c.policy, "OR('HospitalAMSP.member', 'HospitalBMSP.member')");
    assert.equal(c.endorsementPolicy.signaturePolicy, "AND('HospitalAMSP.peer', 'HospitalBMSP.peer')");
    assert.equal(c.memberOnlyRead && c.memberOnlyWrite, true);
    assert.equal(c.blockToLive, 0);
  });

  it('lets one organisation alone hold, read, write and endorse its own collection', () => {
    const c = collectionsConfig(plan).find((x) => x.name === 'org-HospitalBMSP');
    assert.ok(c);
    assert.equal(c.policy, "OR('HospitalBMSP.member')");
    assert.equal(c.endorsementPolicy.signaturePolicy, "OR('HospitalBMSP.peer')");
    assert.equal(c.memberOnlyRead && c.memberOnlyWrite, true);
  });
});
