import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { loadDescription, validateDescription } from './description';
import { NetworkError } from './errors';

const shipped = resolve(__dirname, '..', 'consortium.yaml');
const valid = (): Record<string, unknown> => parse(readFileSync(shipped, 'utf8')) as Record<string, unknown>;

function rejects(raw: unknown, pattern: RegExp): void {
  assert.throws(
    () => validateDescription(raw, 'test.yaml'),
    (error: unknown) =>
      error instanceof NetworkError && error.code === 'DESCRIPTION_INVALID' && pattern.test(error.message),
  );
}

describe('consortium description', () => {
  it('accepts the shipped description', async () => {
    const d = await loadDescription(shipped);
    assert.equal(d.peerOrganisations.length, 3);
    assert.equal(d.ordererOrganisation.raftNodes, 3);
    assert.equal(d.ordererOrganisation.bftNodes, 4);
  });

  it('names the first missing field', () => {
    const d = valid();
    delete d.channel;
    rejects(d, /^test\.yaml: channel: /);
  });

  it('names a malformed nested field with its path', () => {
    const d = valid();
    const orgs = d.peerOrganisations as Record<string, unknown>[];
    orgs[1] = { ...orgs[1], mspId: 'riverside' };
    rejects(d, /peerOrganisations\.1\.mspId: must be letters and digits ending in MSP/);
  });

  it('rejects unknown fields, so typos are not silently ignored', () => {
    rejects({ ...valid(), consensuss: 'raft' }, /consensuss|Unrecognized/);
  });

  it('rejects an unknown consensus', () => {
    rejects({ ...valid(), consensus: 'pow' }, /^test\.yaml: consensus: /);
  });

  it('rejects two organisations with the same port offset', () => {
    const d = valid();
    const orgs = d.peerOrganisations as Record<string, unknown>[];
    orgs[2] = { ...orgs[2], portOffset: 100 };
    rejects(d, /peerOrganisations\.2\.portOffset: duplicates peerOrganisations\.0\.portOffset/);
  });

  it('reports a file that is not YAML in one line', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-desc-'));
    const file = join(dir, 'bad.yaml');
    await writeFile(file, 'name: [unclosed\n');
    await assert.rejects(
      loadDescription(file),
      (e: unknown) =>
        e instanceof NetworkError && e.message.includes('not valid YAML') && !e.message.includes('\n'),
    );
  });

  it('reports a missing file', async () => {
    await assert.rejects(loadDescription('/nonexistent/consortium.yaml'), /cannot be read/);
  });
});
