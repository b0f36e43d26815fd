import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import { StudyCollector, studyRef, type CollectedStudy, type SpooledInstance } from './collector';

const instance = (study: string, series: string, sop: string, size = 10): SpooledInstance => ({
  path: `/spool/${sop}.dcm`,
  size,
  studyUid: study,
  seriesUid: series,
  sopInstanceUid: sop,
  callingAe: 'CT_ROOM_1',
  to: 'a'.repeat(64),
});

describe('StudyCollector', () => {
  it('hands on a study once it has been quiet for the period, each arrival restarting the wait', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const done: CollectedStudy[] = [];
      const collector = new StudyCollector(1000, (s) => done.push(s));
      collector.add(instance('1.2.1', '1.2.1.1', '1.2.1.1.1'));
      mock.timers.tick(900);
      collector.add(instance('1.2.1', '1.2.1.2', '1.2.1.2.1', 20));
      collector.add(instance('1.2.2', '1.2.2.1', '1.2.2.1.1'));
      mock.timers.tick(900);
      assert.equal(done.length, 0, 'the second arrival restarted the first study\u2019s wait');
      mock.timers.tick(100);
      assert.equal(done.length, 2);
      const first = done[0];
      assert.ok(first);
      assert.equal(first.ref, studyRef('1.2.1'));
      assert.equal(first.instances.length, 2);
      assert.equal(first.series, 2);
      assert.equal(first.bytes, 30);
      assert.equal(collector.pending, 0);
      // A late instance of a study already handed on starts a new group.
      collector.add(instance('1.2.1', '1.2.1.3', '1.2.1.3.1'));
      assert.equal(collector.pending, 1);
    } finally {
      mock.timers.reset();
    }
  });

  it('keeps the last copy of a resent instance, in its new place', () => {
    const done: CollectedStudy[] = [];
    const collector = new StudyCollector(60_000, (s) => done.push(s));
    collector.add(instance('1.2.1', '1.2.1.1', 'A'));
    collector.add(instance('1.2.1', '1.2.1.1', 'B'));
    const again = collector.add({ ...instance('1.2.1', '1.2.1.1', 'A', 99), path: '/spool/A-again.dcm' });
    assert.equal(again.instances, 2);
    assert.equal(again.replaced?.path, '/spool/A.dcm');
    collector.flush();
    assert.deepEqual(
      done[0]?.instances.map((i) => i.path),
      ['/spool/B.dcm', '/spool/A-again.dcm'],
    );
  });

  it('names studies in logs by a hash, not by their UID', () => {
    const ref = studyRef('1.2.840.113619.2.55.3.604688119.969.1268071029.320');
    assert.match(ref, /^[0-9a-f]{12}$/);
    assert.ok(!ref.includes('1.2.840'));
  });
});
