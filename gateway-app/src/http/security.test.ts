import express, { type Express } from 'express';
import session from 'express-session';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { errorHandler, notFound, type ErrorBody } from './errors';
import { csrfGuard, ensureCsrfToken, loginRateLimit, securityHeaders } from './security';
import { AccountStore } from '../auth';
import { openDatabase } from '../db/database';
import { SESSION_COOKIE, sessionLifetime, sessions } from './session';
import { signedIn } from './signed-in';

const DEVICE_AGENT = 'http://127.0.0.1:47113';
const logger = pino({ level: 'silent' });

/** The request id, security headers and error handler as app.ts wires them around `routes`. */
function baseApp(routes: (app: Express) => void): Express {
  const app = express();
  app.disable('x-powered-by');
  app.use((_req, res, next) => {
    const requestId = randomBytes(8).toString('hex');
    res.locals.requestId = requestId;
    res.set('x-request-id', requestId);
    next();
  });
  app.use(securityHeaders([DEVICE_AGENT]));
  routes(app);
  app.use('/api', notFound);
  app.use(errorHandler(logger, []));
  return app;
}

/** Listens on a loopback port first, so the app can be built knowing its own origin. */
async function serve(build: (origin: string) => Express): Promise<{ origin: string; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
  server.on('request', build(origin));
  return { origin, server };
}

function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
}

async function errorOf(response: Response): Promise<ErrorBody['error']> {
  assert.match(response.headers.get('content-type') ?? '', /^application\/json/);
  const body = (await response.json()) as ErrorBody;
  assert.equal(typeof body.error.message, 'string');
  assert.equal(body.error.requestId, response.headers.get('x-request-id'));
  assert.match(body.error.requestId, /^[0-9a-f]{16}$/);
  return body.error;
}

describe('csrfGuard', () => {
  let origin: string;
  let server: Server;
  const store = new session.MemoryStore();
  const accounts = new AccountStore(openDatabase(':memory:'));
  /** State-changing requests that reached their handler. */
  let changes = 0;

  before(async () => {
    ({ origin, server } = await serve((publicOrigin) =>
      baseApp((app) => {
        app.use(
          sessions({
            store,
            secret: 'a test secret that is long enough',
            publicOrigin,
            idleSeconds: 600,
          }),
        );
        app.use(csrfGuard(publicOrigin));
        app.get('/api/session', (req, res) => {
          res.json({ csrfToken: ensureCsrfToken(req) });
        });
        app.get('/api/things', (_req, res) => {
          res.json({ things: [] });
        });
        app.get('/api/mine', (req, res, next) => {
          signedIn(req, accounts).then(() => res.json({ mine: [] }), next);
        });
        const change: express.RequestHandler = (_req, res) => {
          changes++;
          res.json({ ok: true });
        };
        app.post('/api/things', change);
        app.put('/api/things', change);
        app.delete('/api/things', change);
      }),
    ));
  });
  after(() => stop(server));

  /** A session: its cookie and CSRF token, as GET /api/session gives them. */
  async function newSession(): Promise<{ cookie: string; token: string }> {
    const response = await fetch(`${origin}/api/session`);
    assert.equal(response.status, 200);
    const setCookie = response.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    assert.ok(setCookie, 'the session cookie is set');
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    assert.match(csrfToken, /^[A-Za-z0-9_-]{32}$/);
    return { cookie: setCookie.split(';')[0] ?? '', token: csrfToken };
  }

  async function change(headers: Record<string, string>, method = 'POST'): Promise<Response> {
    return fetch(`${origin}/api/things`, {
      method,
      headers: { 'content-type': 'application/json', ...headers },
    });
  }

  async function refused(response: Response, code: string): Promise<void> {
    assert.equal(response.status, 403);
    assert.equal((await errorOf(response)).code, code);
  }

  it('lets a same-origin POST with the session token through', async () => {
    const { cookie, token } = await newSession();
    const before = changes;
    const response = await change({ cookie, 'x-csrf-token': token, origin, 'sec-fetch-site': 'same-origin' });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { ok: true });
    assert.equal(changes, before + 1);
  });

  it('lets through a client that sends no Origin or Fetch Metadata, or Sec-Fetch-Site: none', async () => {
    const { cookie, token } = await newSession();
    assert.equal((await change({ cookie, 'x-csrf-token': token })).status, 200);
    assert.equal((await change({ cookie, 'x-csrf-token': token, 'sec-fetch-site': 'none' })).status, 200);
  });

  it('refuses another origin with 403 CROSS_ORIGIN_REFUSED, even with a valid token', async () => {
    const { cookie, token } = await newSession();
    const before = changes;
    for (const other of [
      'https://evil.example',
      'null',
      origin.replace('127.0.0.1', 'localhost'),
      `${origin}/`,
    ]) {
      await refused(await change({ cookie, 'x-csrf-token': token, origin: other }), 'CROSS_ORIGIN_REFUSED');
    }
    assert.equal(changes, before);
  });

  it('refuses Sec-Fetch-Site cross-site and same-site', async () => {
    const { cookie, token } = await newSession();
    const before = changes;
    for (const site of ['cross-site', 'same-site']) {
      await refused(
        await change({ cookie, 'x-csrf-token': token, origin, 'sec-fetch-site': site }),
        'CROSS_ORIGIN_REFUSED',
      );
    }
    assert.equal(changes, before);
  });

  it('refuses a missing, wrong or foreign token with 403 CSRF_TOKEN_INVALID', async () => {
    const { cookie, token } = await newSession();
    const other = await newSession();
    const flipped = (token.startsWith('A') ? 'B' : 'A') + token.slice(1);
    const before = changes;
    await refused(await change({ cookie, origin }), 'CSRF_TOKEN_INVALID');
    await refused(await change({ cookie, origin, 'x-csrf-token': '' }), 'CSRF_TOKEN_INVALID');
    await refused(await change({ cookie, origin, 'x-csrf-token': flipped }), 'CSRF_TOKEN_INVALID');
    await refused(await change({ cookie, origin, 'x-csrf-token': token.slice(1) }), 'CSRF_TOKEN_INVALID');
    await refused(await change({ cookie, origin, 'x-csrf-token': `${token}x` }), 'CSRF_TOKEN_INVALID');
    await refused(await change({ cookie, origin, 'x-csrf-token': other.token }), 'CSRF_TOKEN_INVALID');
    // Without the session cookie there is no token to match.
    await refused(await change({ origin, 'x-csrf-token': token }), 'CSRF_TOKEN_INVALID');
    assert.equal(changes, before);
  });

  it('refuses a session the gateway no longer holds with 401 SESSION_EXPIRED, for changes and reads', async () => {
    const { cookie, token } = await newSession();
    // The signed cookie value is `s:<session id>.<signature>`.
    const sid =
      decodeURIComponent(cookie.slice(SESSION_COOKIE.length + 1))
        .slice(2)
        .split('.')[0] ?? '';
    await new Promise<void>((resolve) => {
      store.destroy(sid, () => {
        resolve();
      });
    });
    const before = changes;
    const response = await change({ cookie, origin, 'x-csrf-token': token });
    assert.equal(response.status, 401);
    const error = await errorOf(response);
    assert.equal(error.code, 'SESSION_EXPIRED');
    assert.match(error.message, /sign in again/);
    assert.equal(changes, before);
    // A read on the ended session says so too, where a request with no session is only not signed in.
    const read = await fetch(`${origin}/api/mine`, { headers: { cookie } });
    assert.equal(read.status, 401);
    assert.equal((await errorOf(read)).code, 'SESSION_EXPIRED');
    const anonymous = await fetch(`${origin}/api/mine`);
    assert.equal(anonymous.status, 401);
    assert.equal((await errorOf(anonymous)).code, 'NOT_SIGNED_IN');
    const held = await newSession();
    const notYet = await fetch(`${origin}/api/mine`, { headers: { cookie: held.cookie } });
    assert.equal((await errorOf(notYet)).code, 'NOT_SIGNED_IN');
  });

  it('guards PUT and DELETE like POST', async () => {
    const { cookie, token } = await newSession();
    for (const method of ['PUT', 'DELETE']) {
      await refused(await change({ cookie, origin }, method), 'CSRF_TOKEN_INVALID');
      await refused(
        await change({ cookie, 'x-csrf-token': token, origin: 'https://evil.example' }, method),
        'CROSS_ORIGIN_REFUSED',
      );
      assert.equal((await change({ cookie, 'x-csrf-token': token, origin }, method)).status, 200);
    }
  });

  it('does not guard GET and HEAD', async () => {
    const crossSite = { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' };
    const get = await fetch(`${origin}/api/things`, { headers: crossSite });
    assert.equal(get.status, 200);
    assert.deepEqual(await get.json(), { things: [] });
    const head = await fetch(`${origin}/api/things`, { method: 'HEAD', headers: crossSite });
    assert.equal(head.status, 200);
  });
});

describe('securityHeaders', () => {
  let origin: string;
  let server: Server;

  before(async () => {
    ({ origin, server } = await serve(() =>
      baseApp((app) => {
        app.get('/', (_req, res) => {
          res.type('html').send('<!doctype html><title>MedShare</title>');
        });
      }),
    ));
  });
  after(() => stop(server));

  async function csp(path: string): Promise<Map<string, string[]>> {
    const response = await fetch(`${origin}${path}`);
    await response.arrayBuffer();
    const header = response.headers.get('content-security-policy');
    assert.ok(header, `no Content-Security-Policy on ${path}`);
    const directives = new Map<string, string[]>();
    for (const part of header.split(';')) {
      const [name, ...sources] = part.trim().split(/\s+/);
      if (name) directives.set(name, sources);
    }
    return directives;
  }

  it("sends a Content-Security-Policy with default-src 'self' and the device agent only in connect-src", async () => {
    for (const path of ['/', '/api/nowhere']) {
      const directives = await csp(path);
      assert.deepEqual(directives.get('default-src'), ["'self'"]);
      // WebAssembly compilation (the DICOM decoders) but no JavaScript eval: no 'unsafe-eval'.
      assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"]);
      assert.deepEqual(directives.get('connect-src'), ["'self'", DEVICE_AGENT]);
      assert.deepEqual(directives.get('img-src'), ["'self'", 'data:', 'blob:']);
      assert.deepEqual(directives.get('object-src'), ["'none'"]);
      assert.deepEqual(directives.get('frame-ancestors'), ["'none'"]);
      assert.deepEqual(directives.get('base-uri'), ["'none'"]);
      assert.deepEqual(directives.get('form-action'), ["'self'"]);
      for (const [name, sources] of directives) {
        for (const source of sources) {
          if (source === DEVICE_AGENT) {
            assert.equal(name, 'connect-src');
            continue;
          }
          assert.doesNotMatch(source, /^https?:\/\/|\*/, `${name} names ${source}`);
        }
      }
    }
  });

  it('allows no source beyond the gateway itself, data:, blob: and the device agent', async () => {
    const directives = await csp('/');
    const allowed = new Set(["'self'", "'none'", 'data:', 'blob:', DEVICE_AGENT]);
    for (const [name, sources] of directives) {
      for (const source of sources) {
        if (name === 'script-src' && source === "'wasm-unsafe-eval'") continue;
        assert.ok(allowed.has(source), `${name} allows ${source}`);
      }
    }
    assert.ok(!directives.has('upgrade-insecure-requests'), 'the device agent is plain http on loopback');
  });

  it('sends no referrer, no sniffing, no framing and no HSTS on plain HTTP', async () => {
    const response = await fetch(`${origin}/`);
    await response.arrayBuffer();
    assert.equal(response.headers.get('referrer-policy'), 'no-referrer');
    assert.equal(response.headers.get('x-content-type-options'), 'nosniff');
    assert.equal(response.headers.get('x-frame-options'), 'SAMEORIGIN');
    assert.equal(response.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(response.headers.get('strict-transport-security'), null);
    assert.equal(response.headers.get('x-powered-by'), null);
  });
});

describe('loginRateLimit', () => {
  const LIMIT = 3;
  const WINDOW_SECONDS = 60;
  let origin: string;
  let server: Server;
  let attempts = 0;

  before(async () => {
    ({ origin, server } = await serve(() =>
      baseApp((app) => {
        const limit = loginRateLimit(LIMIT, WINDOW_SECONDS);
        app.post('/api/session', limit, (_req, res) => {
          attempts++;
          res.json({ ok: true });
        });
        app.post('/api/other', (_req, res) => {
          res.json({ ok: true });
        });
      }),
    ));
  });
  after(() => stop(server));

  it(`answers 429 RATE_LIMITED with Retry-After after ${String(LIMIT)} attempts from one address`, async () => {
    for (let i = 1; i <= LIMIT; i++) {
      const response = await fetch(`${origin}/api/session`, { method: 'POST' });
      assert.equal(response.status, 200, `attempt ${String(i)}`);
      await response.arrayBuffer();
      assert.match(
        response.headers.get('ratelimit-policy') ?? '',
        new RegExp(`q=${String(LIMIT)};\\s*w=${String(WINDOW_SECONDS)}`),
      );
    }
    for (let i = 0; i < 2; i++) {
      const response = await fetch(`${origin}/api/session`, { method: 'POST' });
      assert.equal(response.status, 429);
      assert.equal(response.headers.get('retry-after'), String(WINDOW_SECONDS));
      const error = await errorOf(response);
      assert.equal(error.code, 'RATE_LIMITED');
      assert.deepEqual(error.details, { retryAfterSeconds: WINDOW_SECONDS });
    }
    assert.equal(attempts, LIMIT, 'the limited requests never reached the handler');
    // Only the routes it is mounted on are limited.
    assert.equal((await fetch(`${origin}/api/other`, { method: 'POST' })).status, 200);
  });
});

describe('sessionLifetime', () => {
  let origin: string;
  let server: Server;
  let clock = Date.now();

  before(async () => {
    ({ origin, server } = await serve((publicOrigin) =>
      baseApp((app) => {
        app.use(
          sessions({
            store: new session.MemoryStore(),
            secret: 'a test secret that is long enough',
            publicOrigin,
            idleSeconds: 3600,
          }),
        );
        app.use(sessionLifetime(60, () => clock));
        app.use(csrfGuard(publicOrigin));
        app.get('/api/session', (req, res) => {
          res.json({ csrfToken: ensureCsrfToken(req) });
        });
        app.post('/api/things', (_req, res) => {
          res.json({ ok: true });
        });
      }),
    ));
  });
  after(() => stop(server));

  it('ends a session past its absolute lifetime: the next change is refused 401 SESSION_EXPIRED', async () => {
    clock = Date.now();
    const response = await fetch(`${origin}/api/session`);
    const cookie = (response.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const { csrfToken } = (await response.json()) as { csrfToken: string };
    const post = () =>
      fetch(`${origin}/api/things`, {
        method: 'POST',
        headers: { cookie, origin, 'x-csrf-token': csrfToken, 'content-type': 'application/json' },
      });
    clock += 59_000;
    assert.equal((await post()).status, 200);
    clock += 2_000;
    const expired = await post();
    assert.equal(expired.status, 401);
    assert.equal((await errorOf(expired)).code, 'SESSION_EXPIRED');
    // The old session is gone for good, not only for one request.
    clock -= 2_000;
    assert.equal((await post()).status, 401);
  });
});
