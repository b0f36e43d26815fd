import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderEnvFile, runningPid, startProcess, stopProcess } from './processes';

describe('process management', () => {
  it('renders env files that the shell reads back verbatim', () => {
    assert.equal(renderEnvFile({ A: "it's", B: '[x,y]' }), `export A='it'\\''s'\nexport B='[x,y]'\n`);
  });

  it('starts a detached process, sees it running, and stops only that process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-proc-'));
    const script = join(dir, 'sleep.sh');
    await writeFile(script, '. "$1"\nexec sleep "$SECONDS_TO_SLEEP"\n');
    const files = { env: join(dir, 'env'), log: join(dir, 'log'), pid: join(dir, 'pid') };
    const pid = await startProcess({
      name: 'sleeper',
      script,
      env: { SECONDS_TO_SLEEP: '30' },
      files,
      cwd: dir,
    });
    assert.equal(await runningPid(files.pid), pid);
    assert.equal(await stopProcess(files.pid, 2000), true);
    assert.equal(await runningPid(files.pid), undefined);
    assert.equal(await stopProcess(files.pid), false);
  });

  it('does not mistake a reused pid for its own process', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-proc-'));
    const file = join(dir, 'pid');
    await writeFile(file, `${process.pid} 1\n`);
    assert.equal(await runningPid(file), undefined);
  });
});
