import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DicomEdgeError } from './errors';
import { parseRouteRule, routeStudy, tagOfKeyword } from './routing';

const ALICE = 'a'.repeat(64);
const BOB = 'b'.repeat(64);
const CAROL = 'c'.repeat(64);

const refused = (text: string, why: RegExp) => {
  assert.throws(
    () => parseRouteRule(text),
    (error: unknown) =>
      error instanceof DicomEdgeError && error.code === 'BAD_ROUTE' && why.test(error.message),
  );
};

describe('routing rules', () => {
  it('reads calling-ae, tag and default rules, with tags from the standard dictionary', () => {
    assert.deepEqual(parseRouteRule(`calling-ae:CT_ROOM_1=${ALICE}`), {
      kind: 'calling-ae',
      aeTitle: 'CT_ROOM_1',
      to: ALICE,
    });
    assert.deepEqual(parseRouteRule(`tag:Modality:MR=${BOB}`), {
      kind: 'tag',
      keyword: 'Modality',
      tag: 'x00080060',
      value: 'MR',
      to: BOB,
    });
    // A value may hold colons and equals signs: the recipient is after the last "=".
    assert.equal((parseRouteRule(`tag:StudyDescription:A=B:C=${BOB}`) as { value: string }).value, 'A=B:C');
    assert.deepEqual(parseRouteRule(`default=${CAROL}`), { kind: 'default', to: CAROL });
    assert.equal(tagOfKeyword('InstitutionName'), 'x00080080');
    assert.equal(tagOfKeyword('NoSuchKeyword'), undefined);
  });

  it('refuses rules it cannot read, saying why', () => {
    refused('default', /MATCH=USER-ID/);
    refused('default=alice', /64 lower-case hex/);
    refused(`calling-ae:=${ALICE}`, /AE title/);
    refused(`calling-ae:ABCDEFGHIJKLMNOPQ=${ALICE}`, /AE title/);
    refused(`tag:Modalty:MR=${ALICE}`, /"Modalty" is not a DICOM attribute keyword/);
    refused(`tag:Modality=${ALICE}`, /tag:KEYWORD:VALUE/);
    refused(`ae:CT=${ALICE}`, /starts with calling-ae:, tag: or default/);
  });

  it('takes the first rule that matches, and nothing when none does', () => {
    const rules = [parseRouteRule(`tag:Modality:MR=${BOB}`), parseRouteRule(`calling-ae:CT_ROOM_1=${ALICE}`)];
    const facts = (callingAe: string, modality?: string) => ({
      callingAe,
      value: (tag: string) => (tag === 'x00080060' ? modality : undefined),
    });
    assert.equal(routeStudy(rules, facts('CT_ROOM_1', 'CT')), ALICE);
    assert.equal(routeStudy(rules, facts('CT_ROOM_1', 'MR')), BOB);
    assert.equal(routeStudy(rules, facts('US_ROOM', 'US')), undefined);
    assert.equal(routeStudy([...rules, parseRouteRule(`default=${CAROL}`)], facts('US_ROOM', 'US')), CAROL);
  });
});
