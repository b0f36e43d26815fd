import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  FileCookieJar,
  deleteSessionFile,
  parseSessionFile,
  parseSetCookie,
  readSessionFile,
  sessionPathOf,
  writeSessionFile,
} from './session-file';

describe('medshare session file', () => {
  it('lives beside the key file', () => {
    assert.equal(sessionPathOf('/home/tech/medshare-key.json'), '/home/tech/medshare-key.json.session');
  });

  it('is written atomically with mode 0600 and read back; deleting twice is fine', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-session-'));
    const path = join(dir, 'k.json.session');
    const file = {
      v: 1 as const,
      gatewayUrl: 'http://localhost:1',
      cookies: { 'medshare.sid': 's%3Aabc.def' },
    };
    await writeSessionFile(path, file);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.deepEqual(await readSessionFile(path), file);
    await writeSessionFile(path, { ...file, cookies: {} });
    assert.deepEqual(await readdir(dir), ['k.json.session'], 'no temporary file left behind');
    assert.deepEqual((await readSessionFile(path))?.cookies, {});
    await deleteSessionFile(path);
    await deleteSessionFile(path);
    assert.equal(await readSessionFile(path), undefined);
  });

  it('treats a damaged or foreign file as no session', async () => {
    assert.equal(parseSessionFile('not json'), undefined);
    assert.equal(parseSessionFile('[]'), undefined);
    assert.equal(parseSessionFile('{"v":2,"gatewayUrl":"x","cookies":{}}'), undefined);
    assert.equal(parseSessionFile('{"v":1,"cookies":{}}'), undefined);
    assert.deepEqual(
      parseSessionFile('{"v":1,"gatewayUrl":"x","cookies":{"ok":"1","bad name":"2","n":3}}')?.cookies,
      { ok: '1' },
    );
    const dir = await mkdtemp(join(tmpdir(), 'medshare-session-'));
    await writeFile(join(dir, 's'), '{');
    assert.equal(await readSessionFile(join(dir, 's')), undefined);
  });

  it('parses Set-Cookie: value, Max-Age and Expires', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    assert.deepEqual(
      parseSetCookie(
        'medshare.sid=s%3Aabc; Path=/; Expires=Thu, 01 Jan 2026 00:15:00 GMT; HttpOnly; Secure',
        now,
      ),
      { name: 'medshare.sid', value: 's%3Aabc', expired: false },
    );
    assert.equal(parseSetCookie('a=; Max-Age=0', now)?.expired, true);
    assert.equal(parseSetCookie('a=1; Expires=Wed, 31 Dec 2025 00:00:00 GMT', now)?.expired, true);
    assert.equal(
      parseSetCookie('a=1; Max-Age=60; Expires=Wed, 31 Dec 2025 00:00:00 GMT', now)?.expired,
      false,
    );
    assert.equal(parseSetCookie('novalue', now), undefined);
    assert.equal(parseSetCookie('=x', now), undefined);
  });

  it('keeps cookies in a jar that knows when it changed', () => {
    const jar = new FileCookieJar({ 'medshare.sid': 'one' });
    assert.equal(jar.header(), 'medshare.sid=one');
    jar.update(['medshare.sid=one; Path=/; HttpOnly']);
    assert.equal(jar.changed, false, 'a rolling cookie with the same value changes nothing');
    jar.update(['medshare.sid=two; Path=/', 'other=x']);
    assert.equal(jar.changed, true);
    assert.equal(jar.header(), 'medshare.sid=two; other=x');
    jar.update(['other=; Max-Age=0']);
    assert.deepEqual(jar.toRecord(), { 'medshare.sid': 'two' });
    assert.equal(new FileCookieJar().header(), undefined);
  });

  it('never writes the file where a reader of the directory could see it half-written', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-session-'));
    const path = join(dir, 's');
    await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        writeSessionFile(path, { v: 1, gatewayUrl: `http://localhost:${i}`, cookies: {} }),
      ),
    );
    assert.ok(parseSessionFile(await readFile(path, 'utf8')));
    assert.deepEqual(await readdir(dir), ['s']);
  });
});
