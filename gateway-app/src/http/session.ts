import type { RequestHandler } from 'express';
import session from 'express-session';
import { randomBytes } from 'node:crypto';
import { HttpError } from './errors';
import type { UploadBook } from './uploads';

declare module 'express-session' {
  interface SessionData {
    /** Sent back in `X-CSRF-Token` on every state-changing request. */
    csrfToken: string;
    /** When the session was first created (ms); bounds its absolute lifetime. */
    createdAt: number;
    /** A first factor passed, or an enrolment begun: the account awaits its TOTP code. */
    pending?: { accountId: string; reason: 'login' | 'enrolment'; at: number };
    /** Both factors passed. `factorHash` goes into the transactions the session authorises. */
    auth?: { accountId: string; at: number; factorHash: string; totpStep: number };
    /** A passed device check, consumed by the next send, access or break-glass. */
    deviceCheck?: { deviceId: string; postureHash: string; at: number };
    /** Ciphertexts this session may fetch: CID → expected hash and size, and when the ledger released it (ms). */
    content?: Record<string, { contentHash: string; size: number; at?: number }>;
    /** This session's uploads and the deposits that point at them (see uploads.ts). */
    uploadBook?: UploadBook;
  }
}

/** Options of {@link sessions}. */
export interface SessionOptions {
  store: session.Store;
  secret: string;
  publicOrigin: string;
  idleSeconds: number;
}

/** The session cookie's name. */
export const SESSION_COOKIE = 'medshare.sid';

/**
 * Whether the request names a session the gateway no longer holds (it expired, or was ended):
 * it carries the session cookie, yet its session is a new, empty one. Every session the gateway
 * stores has a CSRF token.
 */
export function namesEndedSession(req: Parameters<RequestHandler>[0]): boolean {
  return (
    req.session.csrfToken === undefined &&
    (req.get('cookie') ?? '').split(';').some((c) => c.trim().startsWith(`${SESSION_COOKIE}=`))
  );
}

/** The refusal of a request on a session the gateway no longer holds. */
export function sessionExpired(): HttpError {
  return new HttpError(401, 'SESSION_EXPIRED', 'this session has expired or was ended; sign in again');
}

/**
 * Server-side sessions: the cookie carries only a signed random id; the data
 * lives in the store. Idle timeout by a rolling cookie; the absolute timeout
 * is enforced by {@link sessionLifetime}.
 */
export function sessions(options: SessionOptions): RequestHandler[] {
  const url = new URL(options.publicOrigin);
  const loopbackHttp = url.protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname);
  const secureOnLoopback: RequestHandler = (req, _res, next) => {
    // Browsers treat http://localhost as a secure context and keep Secure
    // cookies for it; express-session would otherwise refuse to set them.
    if (loopbackHttp && !req.secure) Object.defineProperty(req, 'secure', { value: true });
    next();
  };
  return [
    secureOnLoopback,
    session({
      store: options.store,
      secret: options.secret,
      name: SESSION_COOKIE,
      resave: false,
      saveUninitialized: false,
      rolling: true,
      unset: 'destroy',
      cookie: {
        httpOnly: true,
        secure: true,
        sameSite: 'strict',
        path: '/',
        maxAge: options.idleSeconds * 1000,
      },
    }),
  ];
}

/** Ends sessions older than `absoluteSeconds` whatever their activity, and stamps new ones. */
export function sessionLifetime(absoluteSeconds: number, now: () => number = Date.now): RequestHandler {
  return (req, _res, next) => {
    const createdAt = req.session.createdAt;
    if (createdAt !== undefined && now() - createdAt > absoluteSeconds * 1000) {
      // A new, empty session in its place: the request goes on as one without a live session.
      req.session.regenerate((error: unknown) => {
        next(error);
      });
      return;
    }
    next();
  };
}

/** Regenerates the session id (after each factor), keeping nothing but a fresh CSRF token. */
export async function regenerate(req: Parameters<RequestHandler>[0]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    req.session.regenerate((error: unknown) => {
      if (error) reject(asError(error));
      else resolve();
    });
  });
  req.session.csrfToken = randomBytes(24).toString('base64url');
  req.session.createdAt = Date.now();
}

/** Destroys the session server-side. */
export async function destroy(req: Parameters<RequestHandler>[0]): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    req.session.destroy((error: unknown) => {
      if (error) reject(asError(error));
      else resolve();
    });
  });
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error('the session store failed', { cause: error });
}
