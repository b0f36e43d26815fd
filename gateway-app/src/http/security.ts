import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import helmet from 'helmet';
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HttpError } from './errors';
import { namesEndedSession, sessionExpired } from './session';

/** Security headers: a strict same-origin CSP (every asset is served locally), no referrer, no sniffing. */
export function securityHeaders(deviceAgentOrigins: readonly string[]): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      // helmet's defaults would allow styles and fonts from any https origin.
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        // WebAssembly compilation only (the DICOM decoders), never eval of JavaScript.
        scriptSrc: ["'self'", "'wasm-unsafe-eval'"],
        scriptSrcAttr: ["'none'"],
        styleSrc: ["'self'"],
        fontSrc: ["'self'"],
        // The page asks the device agent on loopback for a signed posture report.
        connectSrc: ["'self'", ...deviceAgentOrigins],
        imgSrc: ["'self'", 'data:', 'blob:'],
        objectSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'self'"],
      },
    },
    referrerPolicy: { policy: 'no-referrer' },
    strictTransportSecurity: false,
  });
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * CSRF protection for cookie-authenticated requests: a state-changing request
 * must come from the gateway's own origin (Origin and Fetch Metadata headers,
 * when the client sends them) and carry the session's token in `X-CSRF-Token`,
 * which a cross-site form or script cannot read or set. A request whose
 * session cookie names a session the gateway no longer holds (expired or
 * ended) is refused `401 SESSION_EXPIRED`, so clients can say so plainly.
 */
export function csrfGuard(publicOrigin: string): RequestHandler {
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) {
      next();
      return;
    }
    const origin = req.get('origin');
    const site = req.get('sec-fetch-site');
    if (
      (origin !== undefined && origin !== publicOrigin) ||
      (site !== undefined && !['same-origin', 'none'].includes(site))
    ) {
      next(
        new HttpError(
          403,
          'CROSS_ORIGIN_REFUSED',
          'state-changing requests must come from the MedShare page itself',
        ),
      );
      return;
    }
    if (namesEndedSession(req)) {
      next(sessionExpired());
      return;
    }
    const expected = req.session.csrfToken;
    const given = req.get('x-csrf-token');
    const valid =
      given !== undefined &&
      expected?.length === given.length &&
      timingSafeEqual(Buffer.from(given), Buffer.from(expected));
    if (!valid) {
      next(
        new HttpError(
          403,
          'CSRF_TOKEN_INVALID',
          'missing or wrong X-CSRF-Token; GET /api/session for a fresh one',
        ),
      );
      return;
    }
    next();
  };
}

/** Gives a session its CSRF token the first time it is asked for. */
export function ensureCsrfToken(req: Parameters<RequestHandler>[0]): string {
  req.session.csrfToken ??= randomBytes(24).toString('base64url');
  req.session.createdAt ??= Date.now();
  return req.session.csrfToken;
}

/** Per-address limit on login and enrolment attempts, answered 429 with Retry-After. */
export function loginRateLimit(limit: number, windowSeconds: number): RequestHandler {
  return rateLimit({
    windowMs: windowSeconds * 1000,
    limit,
    // Per address, in front of the per-login-name lockout: one address cannot try many accounts.
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => {
      next(
        new HttpError(429, 'RATE_LIMITED', 'too many attempts from this address; wait and try again', {
          details: { retryAfterSeconds: windowSeconds },
        }),
      );
    },
  });
}
