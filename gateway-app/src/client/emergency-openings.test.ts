import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { RecordEvent } from 'medshare-chaincode';
import { openingsInTrail } from './emergency-openings';

const event = (
  kind: RecordEvent['kind'],
  at: string,
  actorId: string,
  subjectId: string,
  detail: string,
  recordId = 'record-0000000001',
): RecordEvent => ({
  docType: 'record-event',
  recordId,
  kind,
  txId: `${kind}-${at}`,
  at,
  actorId,
  actorMspId: kind === 'breakGlass' ? 'HospitalBMSP' : 'HospitalAMSP',
  subjectId,
  detail,
});

describe('openingsInTrail', () => {
  it('gives each opening its reason, end, key release and finding, and ignores grants', () => {
    const openings = openingsInTrail([
      event('review', '2026-12-07T12:00:00.000Z', 'auditor1', 'er1', 'justified'),
      event(
        'breakGlass',
        '2026-12-07T10:00:00.000Z',
        'er1',
        '',
        'UNCONSCIOUS until 2026-12-07T10:30:00.000Z',
      ),
      event('keyRelease', '2026-12-07T10:04:00.000Z', 'admin2', 'er1', 'share 1 of 2'),
      event('keyRelease', '2026-12-07T10:05:00.000Z', 'admin1', 'er1', 'released'),
      event('grant', '2026-12-07T09:00:00.000Z', 'patient1', 'doc1', 'TREAT until 2026-12-08T09:00:00.000Z'),
      event(
        'breakGlass',
        '2026-12-07T11:00:00.000Z',
        'er2',
        '',
        'LIFE_THREATENING until 2026-12-07T15:00:00.000Z',
      ),
    ]);
    assert.deepEqual(
      openings.map((o) => [o.doctorId, o.doctorMspId, o.reasonCode, o.until, o.keyReleasedAt, o.finding]),
      [
        [
          'er1',
          'HospitalBMSP',
          'UNCONSCIOUS',
          '2026-12-07T10:30:00.000Z',
          '2026-12-07T10:05:00.000Z',
          'justified',
        ],
        ['er2', 'HospitalBMSP', 'LIFE_THREATENING', '2026-12-07T15:00:00.000Z', undefined, undefined],
      ],
    );
  });

  it('gives a release to the latest opening by the same doctor of the same record', () => {
    const openings = openingsInTrail([
      event('breakGlass', '2026-12-07T10:00:00.000Z', 'er1', '', 'OTHER until 2026-12-07T10:01:00.000Z'),
      event('review', '2026-12-07T10:02:00.000Z', 'auditor1', 'er1', 'unjustified'),
      event(
        'breakGlass',
        '2026-12-07T11:00:00.000Z',
        'er1',
        '',
        'URGENT_CARE until 2026-12-07T11:30:00.000Z',
      ),
      event('keyRelease', '2026-12-07T11:01:00.000Z', 'admin1', 'er1', 'released'),
      event('keyRelease', '2026-12-07T11:02:00.000Z', 'admin1', 'er1', 'released', 'record-0000000002'),
    ]);
    assert.deepEqual(
      openings.map((o) => [o.reasonCode, o.keyReleasedAt, o.finding]),
      [
        ['OTHER', undefined, 'unjustified'],
        ['URGENT_CARE', '2026-12-07T11:01:00.000Z', undefined],
      ],
    );
  });
});
