import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fixtureResults } from './fixture';
import { renderReport } from './markdown';
import { writeReport } from './write-report';

describe('writeReport', () => {
  let scratch = '';
  before(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'consensus-report-'));
  });
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
  });

  it('writes results.json, report.md and every chart it links, into a new directory', async () => {
    const results = fixtureResults();
    const dir = join(scratch, 'results', 'run-1');
    const paths = await writeReport(results, dir);
    const names = paths.map((p) => basename(p));
    assert.deepEqual(names.slice(0, 2), ['results.json', 'report.md']);
    assert.deepEqual((await readdir(dir)).sort(), [...names].sort());
    for (const path of paths) assert.equal(join(dir, basename(path)), path);

    assert.deepEqual(JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')), results);
    const markdown = await readFile(join(dir, 'report.md'), 'utf8');
    assert.equal(markdown, renderReport(results).markdown);
    for (const [, file] of markdown.matchAll(/!\[[^\]]*\]\(([^)]+)\)/g)) {
      assert.ok(names.includes(file ?? ''), `report.md links ${file ?? ''}, which was not written`);
      assert.match(await readFile(join(dir, file ?? ''), 'utf8'), /^<svg /);
    }
  });
});
