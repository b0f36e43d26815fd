import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { REPO_DIR, type CliResult } from '../support/network';

/** The tools the install scripts use before they reach a prerequisite, from this machine. */
const TOOLS = ['dirname', 'sed', 'sort', 'head', 'tail', 'cat', 'grep', 'mktemp', 'rm', 'sha256sum', 'cut'];

/**
 * The install scripts' prerequisite checks, run for real with a PATH that holds
 * only the shell tools they need and stand-ins for Node.js, Go, npm, apt-get and
 * id that claim an old version or fail: each missing prerequisite is one line on
 * stderr that names it and how to get it, exit status 1, and nothing installed.
 */
describe('install prerequisites: one line naming what is missing and how to get it', () => {
  let dir: string;
  let calls: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medshare-prereqs-'));
    calls = join(dir, 'calls.log');
  });

  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  /** A PATH directory with the shell tools and the given stand-ins (name -> shell script body). */
  /** Stand-ins for the DICOM tools `install-test-tools.sh` looks for, so that a test sees only what it misses. */
  const DICOM_TOOLS = Object.fromEntries(
    [
      'dcmconv',
      'dcmcjpeg',
      'dcmcjpls',
      'dcmcrle',
      'dcmj2pnm',
      'dcml2pnm',
      'storescu',
      'storescp',
      'gdcmconv',
      'ojph_compress',
    ].map((tool) => [tool, 'exit 0']),
  );

  async function pathWith(name: string, stubs: Record<string, string>): Promise<string> {
    const bin = join(dir, name);
    await mkdir(bin);
    for (const tool of TOOLS) {
      const found = (await promisify(execFile)('bash', ['-c', `command -v ${tool}`])).stdout.trim();
      await symlink(found, join(bin, tool));
    }
    for (const [stub, body] of Object.entries(stubs)) {
      await writeFile(join(bin, stub), `#!/bin/bash\necho "${stub} $*" >>'${calls}'\n${body}\n`);
      await chmod(join(bin, stub), 0o755);
    }
    return bin;
  }

  async function run(script: string, args: string[], env: Record<string, string>): Promise<CliResult> {
    try {
      const { stdout, stderr } = await promisify(execFile)(
        '/bin/bash',
        [join(REPO_DIR, 'scripts', script), ...args],
        {
          cwd: REPO_DIR,
          env: { HOME: dir, ...env },
          timeout: 60_000,
        },
      );
      return { code: 0, stdout, stderr };
    } catch (error) {
      const e = error as { code?: number; stdout?: string; stderr?: string };
      return {
        code: typeof e.code === 'number' ? e.code : -1,
        stdout: e.stdout ?? '',
        stderr: e.stderr ?? '',
      };
    }
  }

  /** Exit 1 and exactly one line on stderr, matching `pattern`. */
  function assertOneLine(result: CliResult, pattern: RegExp): void {
    assert.equal(result.code, 1, JSON.stringify(result));
    const lines = result.stderr.split('\n').filter((l) => l !== '');
    assert.equal(lines.length, 1, result.stderr);
    assert.match(lines[0] ?? '', pattern);
  }

  async function stubCalls(): Promise<string> {
    return readFile(calls, 'utf8').catch(() => '');
  }

  it('a Node.js older than 20.19: setup stops before npm runs', async () => {
    await rm(calls, { force: true });
    const bin = await pathWith('old-node', { node: 'echo v20.18.3', npm: 'exit 1' });
    const result = await run('setup.sh', [], { PATH: bin });
    assertOneLine(
      result,
      /^setup: Node\.js 20\.19 or later is required \(found v20\.18\.3\): install a current Node\.js LTS \(https:\/\/nodejs\.org\/en\/download\), then run this again$/,
    );
    assert.equal(await stubCalls(), 'node --version\n');
  });

  it('no Node.js at all', async () => {
    const bin = await pathWith('no-node', { npm: 'exit 1' });
    const result = await run('setup.sh', ['test'], { PATH: bin });
    assertOneLine(result, /^setup: Node\.js 20\.19 or later is required and none is on PATH: install /);
  });

  it('a Go older than the pinned Fabric needs: nothing is downloaded or built', async () => {
    await rm(calls, { force: true });
    const cache = join(dir, 'cache-old-go');
    const bin = await pathWith('old-go', { go: '[ "$1 $2" = "env GOVERSION" ] && echo go1.22.5 || exit 3' });
    const result = await run('install-binaries.sh', [], { PATH: bin, MEDSHARE_CACHE_DIR: cache });
    assertOneLine(
      result,
      /^install-binaries: Go 1\.24\.2 or later is required to build Fabric 3\.1\.1 \(found go1\.22\.5\): install Go 1\.24\.2 or later \(https:\/\/go\.dev\/doc\/install\), or with Go 1\.21 or later set GOTOOLCHAIN=go1\.24\.2 to have go fetch it, then run this again$/,
    );
    assert.equal(await stubCalls(), 'go env GOVERSION\n');
    assert.deepEqual(await readdir(cache).catch(() => []), []);
  });

  it('no Go at all', async () => {
    const bin = await pathWith('no-go', {});
    const result = await run('install-binaries.sh', [], {
      PATH: bin,
      MEDSHARE_CACHE_DIR: join(dir, 'cache-no-go'),
    });
    assertOneLine(
      result,
      /^install-binaries: Go 1\.24\.2 or later is required to build Fabric 3\.1\.1 and none is on PATH: install Go/,
    );
  });

  it('a failing apt step names the packages, apt’s reason and what to do', async () => {
    const bin = await pathWith('apt-fails', {
      ...DICOM_TOOLS,
      id: 'echo 0',
      shellcheck: 'exit 0',
      'apt-get': '[ "$1" = update ] && exit 0; echo "E: Unable to locate package chromium" >&2; exit 100',
    });
    const result = await run('install-test-tools.sh', [], {
      PATH: bin,
      MEDSHARE_CHROMIUM: join(dir, 'no-chromium'),
    });
    assertOneLine(
      result,
      /^install-test-tools: apt-get could not install chromium \(E: Unable to locate package chromium\): install them with your package manager, then run this again$/,
    );
    assert.equal(result.stdout, 'Installing chromium (apt)\n');
  });

  it('not root: names the packages and the command that installs them', async () => {
    const bin = await pathWith('not-root', { ...DICOM_TOOLS, id: 'echo 1000', 'apt-get': 'exit 1' });
    const result = await run('install-test-tools.sh', [], {
      PATH: bin,
      MEDSHARE_CHROMIUM: join(dir, 'no-chromium'),
    });
    assertOneLine(
      result,
      /^install-test-tools: missing shellcheck chromium: install with: sudo apt-get install shellcheck chromium, then run this again$/,
    );
  });

  it('names the Debian packages of missing DICOM tools: dcmtk, GDCM’s and OpenJPH’s', async () => {
    const bin = await pathWith('no-dicom-tools', {
      id: 'echo 1000',
      shellcheck: 'exit 0',
      'apt-get': 'exit 1',
    });
    const chromium = join(bin, 'shellcheck');
    const result = await run('install-test-tools.sh', [], { PATH: bin, MEDSHARE_CHROMIUM: chromium });
    assertOneLine(
      result,
      /^install-test-tools: missing dcmtk libgdcm-tools openjph-tools: install with: sudo apt-get install dcmtk libgdcm-tools openjph-tools, then run this again$/,
    );
  });

  it('compares versions numerically', async () => {
    const script = [
      `. '${join(REPO_DIR, 'scripts', 'lib', 'prereqs.sh')}'`,
      'version_at_least 20.19.0 20.19',
      'version_at_least 20.20.2 20.19',
      'version_at_least 1.24.10 1.24.2',
      '! version_at_least 20.9.1 20.19',
      '! version_at_least 1.24.1 1.24.2',
    ].join(' && ');
    await promisify(execFile)('bash', ['-c', script]);
  });
});
