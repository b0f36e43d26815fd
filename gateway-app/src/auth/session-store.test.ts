import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import express from 'express';
import session, { type SessionData } from 'express-session';
import { openDatabase } from '../db/database';
import { SqliteSessionStore } from './session-store';

const T0 = new Date('2025-06-01T12:00:00Z');
const MINUTE = 60_000;

function clock() {
  let now = T0;
  return {
    now: () => now,
    advance: (ms: number) => {
      now = new Date(now.getTime() + ms);
    },
  };
}

function sessionData(expires: Date | null, extra: Record<string, unknown> = {}): SessionData {
  return {
    cookie: {
      originalMaxAge: expires ? expires.getTime() - T0.getTime() : null,
      expires,
      httpOnly: true,
      path: '/',
    },
    ...extra,
  } as unknown as SessionData;
}

// express-session's callback style, as promises.
function api(store: SqliteSessionStore) {
  const settle =
    <T>(resolve: (value: T) => void, reject: (error: unknown) => void, fallback: T) =>
    (error?: unknown, value?: T | null) => {
      if (error) reject(error);
      else resolve(value ?? fallback);
    };
  return {
    get: (sid: string) =>
      new Promise<SessionData | null>((resolve, reject) => {
        store.get(sid, settle<SessionData | null>(resolve, reject, null));
      }),
    set: (sid: string, data: SessionData) =>
      new Promise<void>((resolve, reject) => {
        store.set(sid, data, settle<undefined>(resolve, reject, undefined));
      }),
    destroy: (sid: string) =>
      new Promise<void>((resolve, reject) => {
        store.destroy(sid, settle<undefined>(resolve, reject, undefined));
      }),
    touch: (sid: string, data: SessionData) =>
      new Promise<void>((resolve, reject) => {
        store.touch(sid, data, settle<undefined>(resolve, reject, undefined));
      }),
    length: () =>
      new Promise<number>((resolve, reject) => {
        store.length(settle<number>(resolve, reject, 0));
      }),
    all: () =>
      new Promise<Record<string, SessionData>>((resolve, reject) => {
        store.all(settle<Record<string, SessionData>>(resolve, reject, {}));
      }),
    clear: () =>
      new Promise<void>((resolve, reject) => {
        store.clear(settle<undefined>(resolve, reject, undefined));
      }),
  };
}

// Stored as JSON, the cookie's expiry comes back as a string.
const expiresOf = (data: SessionData | null) =>
  (data as unknown as { cookie: { expires: string } }).cookie.expires;

describe('SqliteSessionStore', () => {
  it('stores, reads and destroys sessions', async () => {
    const c = clock();
    const store = new SqliteSessionStore(openDatabase(':memory:'), { now: c.now });
    const s = api(store);
    await s.set('sid-1', sessionData(new Date(T0.getTime() + 30 * MINUTE), { accountId: 'a1' }));
    const read = await s.get('sid-1');
    assert.equal((read as unknown as { accountId: string }).accountId, 'a1');
    assert.equal(expiresOf(read), new Date(T0.getTime() + 30 * MINUTE).toISOString());
    assert.equal(await s.get('sid-2'), null);
    await s.set('sid-1', sessionData(new Date(T0.getTime() + 30 * MINUTE), { accountId: 'a2' }));
    assert.equal(((await s.get('sid-1')) as unknown as { accountId: string }).accountId, 'a2');
    await s.destroy('sid-1');
    assert.equal(await s.get('sid-1'), null);
    await s.destroy('sid-1');
    store.close();
  });

  it('ignores expired sessions and sweeps them', async () => {
    const c = clock();
    const db = openDatabase(':memory:');
    const store = new SqliteSessionStore(db, { now: c.now, ttlMs: 60 * MINUTE });
    const s = api(store);
    await s.set('short', sessionData(new Date(T0.getTime() + 5 * MINUTE)));
    await s.set('by-max-age', { cookie: { maxAge: 10 * MINUTE } } as unknown as SessionData);
    await s.set('browser-session', sessionData(null));
    assert.equal(await s.length(), 3);
    c.advance(5 * MINUTE);
    assert.equal(await s.get('short'), null);
    assert.ok(await s.get('by-max-age'));
    assert.deepEqual(Object.keys(await s.all()).sort(), ['browser-session', 'by-max-age']);
    c.advance(5 * MINUTE);
    assert.equal(await s.get('by-max-age'), null);
    assert.ok(await s.get('browser-session'));
    c.advance(50 * MINUTE);
    assert.equal(await s.get('browser-session'), null);
    assert.equal(await s.length(), 0);
    assert.equal(db.prepare('SELECT count(*) FROM sessions').pluck().get(), 3);
    assert.equal(store.sweep(), 3);
    assert.equal(db.prepare('SELECT count(*) FROM sessions').pluck().get(), 0);
    store.close();
  });

  it('extends a session on touch without rewriting its data, and does not revive an expired one', async () => {
    const c = clock();
    const store = new SqliteSessionStore(openDatabase(':memory:'), { now: c.now });
    const s = api(store);
    await s.set('sid', sessionData(new Date(T0.getTime() + 5 * MINUTE), { accountId: 'a1' }));
    c.advance(4 * MINUTE);
    // A touch carries the request's copy, which may be stale: only its cookie is taken.
    await s.touch('sid', sessionData(new Date(c.now().getTime() + 5 * MINUTE), { accountId: 'stale' }));
    c.advance(4 * MINUTE);
    const read = await s.get('sid');
    assert.equal((read as unknown as { accountId: string }).accountId, 'a1');
    assert.equal(expiresOf(read), new Date(T0.getTime() + 9 * MINUTE).toISOString());
    c.advance(2 * MINUTE);
    await s.touch('sid', sessionData(new Date(c.now().getTime() + 5 * MINUTE)));
    assert.equal(await s.get('sid'), null);
    await s.touch('never-stored', sessionData(new Date(c.now().getTime() + 5 * MINUTE)));
    assert.equal(await s.get('never-stored'), null);
    store.close();
  });

  it('counts, lists and clears', async () => {
    const store = new SqliteSessionStore(openDatabase(':memory:'), { now: clock().now });
    const s = api(store);
    for (const sid of ['a', 'b', 'c']) await s.set(sid, sessionData(new Date(T0.getTime() + MINUTE)));
    assert.equal(await s.length(), 3);
    assert.deepEqual(Object.keys(await s.all()).sort(), ['a', 'b', 'c']);
    await s.clear();
    assert.equal(await s.length(), 0);
    store.close();
  });

  it('sweeps periodically until closed', async (context) => {
    context.mock.timers.enable({ apis: ['setInterval'] });
    const c = clock();
    const db = openDatabase(':memory:');
    const store = new SqliteSessionStore(db, { now: c.now, sweepIntervalMs: MINUTE });
    const rows = () => db.prepare('SELECT count(*) FROM sessions').pluck().get();
    const s = api(store);
    await s.set('a', sessionData(new Date(T0.getTime() + MINUTE)));
    c.advance(MINUTE);
    context.mock.timers.tick(MINUTE);
    assert.equal(rows(), 0);
    store.close();
    await s.set('b', sessionData(new Date(T0.getTime() + 2 * MINUTE)));
    c.advance(MINUTE);
    context.mock.timers.tick(MINUTE);
    assert.equal(rows(), 1);
    db.close();
  });

  it('keeps sessions across reopening the database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'medshare-sessions-'));
    try {
      const file = join(dir, 'gateway.sqlite');
      let db = openDatabase(file);
      let store = new SqliteSessionStore(db, { now: clock().now });
      await api(store).set('sid', sessionData(new Date(T0.getTime() + MINUTE), { accountId: 'a1' }));
      store.close();
      db.close();
      db = openDatabase(file);
      store = new SqliteSessionStore(db, { now: clock().now });
      const read = await api(store).get('sid');
      assert.equal((read as unknown as { accountId: string }).accountId, 'a1');
      store.close();
      db.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports database errors to the callback', async () => {
    const db = openDatabase(':memory:');
    const store = new SqliteSessionStore(db, { sweepIntervalMs: 0 });
    db.close();
    await assert.rejects(api(store).get('sid'));
    await assert.rejects(api(store).set('sid', sessionData(new Date(Date.now() + MINUTE))));
    await assert.rejects(api(store).length());
  });

  it('serves express-session, whose regenerate replaces the session id', async () => {
    const db = openDatabase(':memory:');
    const store = new SqliteSessionStore(db);
    const app = express();
    app.use(
      session({
        store,
        secret: 'test secret, not for production',
        resave: false,
        saveUninitialized: false,
        cookie: { maxAge: 10 * MINUTE, httpOnly: true, sameSite: 'strict' },
      }),
    );
    const fields = (req: express.Request) => req.session as unknown as Record<string, unknown>;
    app.post('/visit', (req, res) => {
      fields(req).visitor = true;
      res.json({ ok: true });
    });
    app.post('/login', (req, res, next) => {
      req.session.regenerate((error: unknown) => {
        if (error) {
          next(error);
          return;
        }
        fields(req).accountId = 'a1';
        res.json({ ok: true });
      });
    });
    app.get('/me', (req, res) => {
      res.json({ accountId: fields(req).accountId ?? null, visitor: fields(req).visitor ?? null });
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const cookieOf = (res: Response) => (res.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
      const sidOf = (cookie: string) =>
        decodeURIComponent(cookie.split('=')[1] ?? '')
          .slice(2)
          .split('.')[0];

      const before = cookieOf(await fetch(`${base}/visit`, { method: 'POST' }));
      assert.match(before, /^connect\.sid=/);
      assert.equal(await api(store).length(), 1);

      const login = await fetch(`${base}/login`, { method: 'POST', headers: { cookie: before } });
      const after = cookieOf(login);
      assert.notEqual(sidOf(after), sidOf(before));
      assert.equal(await api(store).get(sidOf(before) ?? ''), null, 'the old session is gone');
      assert.ok(await api(store).get(sidOf(after) ?? ''));

      assert.deepEqual(await (await fetch(`${base}/me`, { headers: { cookie: after } })).json(), {
        accountId: 'a1',
        visitor: null,
      });
      assert.deepEqual(await (await fetch(`${base}/me`, { headers: { cookie: before } })).json(), {
        accountId: null,
        visitor: null,
      });
    } finally {
      await new Promise((resolve) => server.close(resolve));
      store.close();
      db.close();
    }
  });
});
