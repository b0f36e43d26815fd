import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import { Housekeeping } from './housekeeping';

const logger = pino({ level: 'silent' });

describe('Housekeeping', () => {
  it('prunes login-throttle rows and pages through each organisation\u2019s used nonces', async () => {
    const pages = [
      { pruned: 100, more: true },
      { pruned: 7, more: false },
    ];
    const asked: number[] = [];
    const round = await new Housekeeping({
      pruneThrottle: () => 3,
      pruneNonces: {
        HospitalAMSP: (pageSize) => {
          asked.push(pageSize);
          return Promise.resolve(pages.shift() ?? { pruned: 0, more: false });
        },
        HospitalBMSP: () => Promise.resolve({ pruned: 0, more: false }),
      },
      sweepErasures: () =>
        Promise.resolve({
          erased: [
            {
              recordId: 'rec-erased-00000001',
              mspId: 'HospitalAMSP',
              evidence: { unpinnedFrom: 3, collectedOn: ['p1', 'p2', 'p3'], blocksRemoved: 5 },
            },
          ],
          problems: [],
        }),
      intervalMs: 60_000,
      logger,
    }).run();
    assert.deepEqual(round, {
      throttleRows: 3,
      nonces: { HospitalAMSP: 107, HospitalBMSP: 0 },
      erased: ['rec-erased-00000001'],
      problems: [],
    });
    assert.deepEqual(asked, [100, 100]);
  });

  it('stops after ten pages a round, and reports a failure without stopping the other work', async () => {
    let calls = 0;
    const round = await new Housekeeping({
      pruneThrottle: () => {
        throw new Error('database is locked');
      },
      pruneNonces: {
        HospitalAMSP: () => {
          calls++;
          return Promise.resolve({ pruned: 1, more: true });
        },
        HospitalBMSP: () => Promise.reject(new Error('10 ABORTED: PHANTOM_READ_CONFLICT')),
      },
      sweepErasures: () => Promise.reject(new Error('the IPFS Cluster REST API could not be reached')),
      intervalMs: 60_000,
      logger,
    }).run();
    assert.equal(calls, 10);
    assert.deepEqual(round, {
      throttleRows: 0,
      nonces: { HospitalAMSP: 10, HospitalBMSP: 0 },
      erased: [],
      problems: [
        'login throttle: database is locked',
        'nonces of HospitalBMSP: 10 ABORTED: PHANTOM_READ_CONFLICT',
        'erasures: the IPFS Cluster REST API could not be reached',
      ],
    });
  });
});
