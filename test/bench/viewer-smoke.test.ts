import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { markdownOf, timeOpen } from './viewer/measure';
import { sendStudy, startViewerBench, studyFiles, type ViewerBench } from './viewer/setup';

/**
 * A smoke run of `npm run bench:viewer` on a real network and Chromium: a small study is sent, opened and
 * timed, and the report says so. The figures themselves are the full run's to report, never asserted here.
 */
describe('bench:viewer, smoke run', { timeout: 600_000 }, () => {
  let bench: ViewerBench;

  before(async () => {
    bench = await startViewerBench();
  });

  after(async () => {
    await (bench as ViewerBench | undefined)?.close();
  });

  it('times the first image and the whole study of a record opened in the browser', async () => {
    const { recordId, bytes } = await sendStudy(bench, studyFiles(8, 128));
    const timing = await timeOpen(bench.page, recordId, { name: 'smoke', slices: 8, bytes });
    assert.ok(timing.verifiedMs > 0, 'the sender verified after the click');
    // A small study may be read whole before its first slice is drawn; both follow the verification.
    assert.ok(timing.firstImageMs >= timing.verifiedMs, 'the first image after the verification');
    assert.ok(timing.wholeStudyMs >= timing.verifiedMs, 'the whole study after the verification');
    assert.match(markdownOf([timing], 'today'), /\| smoke \| 8 \|/);
  });
});
