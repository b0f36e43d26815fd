import type { AccountView } from '../../api/wire';
import type { Request, RequestHandler } from 'express';
import { createHash } from 'node:crypto';
import { z } from 'zod';
import {
  type Account,
  type AccountStore,
  type LoginThrottle,
  type TotpService,
  loginKey,
  open,
  verifyPassword,
} from '../../auth';
import { HttpError } from '../errors';
import type { ApiRoutes } from '../routes';
import { destroy, regenerate } from '../session';
import { ensureCsrfToken } from '../security';

/** What the session routes use. */
export interface SessionDeps {
  accounts: AccountStore;
  throttle: LoginThrottle;
  totp: TotpService;
  /** Seals TOTP secrets at rest. */
  totpKey: Buffer;
  /** Limits login attempts per address. */
  rateLimit: RequestHandler;
}

const loginBody = z.strictObject({
  mspId: z.string().min(1).max(64),
  enrollmentId: z.string().min(1).max(64),
  password: z.string().min(1).max(1024),
});

const totpBody = z.strictObject({ code: z.string().max(16) });

/** How a client sees an account: no secrets, no internal state. */
export function publicAccount(account: Account): AccountView {
  return {
    accountId: account.accountId,
    mspId: account.mspId,
    enrollmentId: account.enrollmentId,
    role: account.role,
    status: account.status,
    userId: account.userId,
    certificatePem: account.certificatePem,
    encryptionPublicKey: account.encryptionPublicKey,
    hasKeyBackup: account.keyBackup !== null,
  };
}

function lockedOut(retryAfterSeconds: number): HttpError {
  return new HttpError(429, 'TOO_MANY_ATTEMPTS', 'too many failed attempts; try again later', {
    details: { retryAfterSeconds },
  });
}

/**
 * The second-factor claim the gateway attests in transactions: which account
 * proved which TOTP step when, bound to this session. Only its hash leaves
 * the gateway.
 */
function factorHash(req: Request, account: Account, step: number, at: number): string {
  const claim = JSON.stringify({
    v: 1,
    method: 'totp',
    userId: account.userId,
    step,
    verifiedAt: new Date(at).toISOString(),
    session: createHash('sha256').update(req.sessionID).digest('hex'),
  });
  return createHash('sha256').update(claim).digest('hex');
}

/**
 * Sign-in in two factors, each followed by a new session id: password, then a
 * TOTP code. Failures count against the login name whether or not it exists,
 * and every failure answers the same way.
 */
export function sessionRoutes(api: ApiRoutes, deps: SessionDeps): void {
  api.add(
    {
      method: 'get',
      path: '/api/session',
      tag: 'session',
      summary: 'The session\u2019s state and its CSRF token',
      audience: 'anyone',
      responses: { 200: '{state, csrfToken, account?}' },
    },
    (req, res) => {
      const csrfToken = ensureCsrfToken(req);
      const auth = req.session.auth;
      const account = auth ? deps.accounts.byId(auth.accountId) : undefined;
      const state = account ? 'signed-in' : req.session.pending ? 'totp-required' : 'anonymous';
      res.json({ state, csrfToken, ...(account ? { account: publicAccount(account) } : {}) });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/api/session',
      tag: 'session',
      summary: 'First factor: organisation, enrolment id and password',
      audience: 'anyone',
      body: loginBody,
      responses: {
        200: '{state: "totp-required", csrfToken}',
        401: 'INVALID_CREDENTIALS (the same whether or not the account exists)',
        403: 'ACCOUNT_SUSPENDED',
        429: 'TOO_MANY_ATTEMPTS or RATE_LIMITED, with Retry-After',
      },
    },
    deps.rateLimit,
    async (req, res, body) => {
      const key = loginKey(body.mspId, body.enrollmentId);
      const state = deps.throttle.check(key);
      if (state.locked) throw lockedOut(state.retryAfterSeconds);
      const account = deps.accounts.byLogin(body.mspId, body.enrollmentId);
      const hash = account ? deps.accounts.passwordHash(account.accountId) : null;
      const valid = await verifyPassword(hash, body.password);
      if (!account || !valid || account.status === 'invited') {
        const after = deps.throttle.fail(key);
        if (after.locked) throw lockedOut(after.retryAfterSeconds);
        throw new HttpError(401, 'INVALID_CREDENTIALS', 'wrong organisation, user or password');
      }
      if (account.status === 'suspended') {
        throw new HttpError(
          403,
          'ACCOUNT_SUSPENDED',
          'this account is suspended; ask your organisation operator',
        );
      }
      await regenerate(req);
      req.session.pending = {
        accountId: account.accountId,
        reason: account.totpEnrolled ? 'login' : 'enrolment',
        at: Date.now(),
      };
      res.json({ state: 'totp-required', csrfToken: req.session.csrfToken });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/api/session/totp',
      tag: 'session',
      summary: 'Second factor: the current TOTP code (also confirms the authenticator at enrolment)',
      audience: 'anyone',
      body: totpBody,
      responses: {
        200: '{state: "signed-in", csrfToken, account}',
        401: 'NO_PENDING_LOGIN, TOTP_INVALID or TOTP_REPLAYED',
        429: 'TOO_MANY_ATTEMPTS or RATE_LIMITED, with Retry-After',
      },
    },
    deps.rateLimit,
    async (req, res, body) => {
      const pending = req.session.pending;
      const account = pending ? deps.accounts.byId(pending.accountId) : undefined;
      if (!pending || !account) {
        throw new HttpError(401, 'NO_PENDING_LOGIN', 'give your password first (POST /api/session)');
      }
      if (account.status !== 'active') {
        await destroy(req);
        throw new HttpError(
          403,
          'ACCOUNT_SUSPENDED',
          'this account is suspended; ask your organisation operator',
        );
      }
      const key = loginKey(account.mspId, account.enrollmentId);
      const state = deps.throttle.check(key);
      if (state.locked) throw lockedOut(state.retryAfterSeconds);
      const sealed = deps.accounts.totpSecretSealed(account.accountId);
      if (sealed === null) throw new HttpError(409, 'NOT_ENROLLED', 'this account has no authenticator yet');
      const secret = open(sealed, deps.totpKey, account.accountId);
      const result = deps.totp.verify(secret, body.code, deps.accounts.lastTotpStep(account.accountId));
      // The store's compare-and-set is the replay guard when two requests race with one code.
      if (!result.ok || !deps.accounts.acceptTotpStep(account.accountId, result.step)) {
        const after = deps.throttle.fail(key);
        if (after.locked) throw lockedOut(after.retryAfterSeconds);
        const replayed = result.ok || result.reason === 'REPLAYED';
        throw new HttpError(
          401,
          replayed ? 'TOTP_REPLAYED' : 'TOTP_INVALID',
          replayed ? 'that code was already used; wait for the next one' : 'wrong or expired code',
        );
      }
      deps.throttle.succeed(key);
      const confirmed = account.totpEnrolled
        ? account
        : deps.accounts.confirmTotp(account.accountId, result.step);
      await regenerate(req);
      const at = Date.now();
      req.session.auth = {
        accountId: confirmed.accountId,
        at,
        totpStep: result.step,
        factorHash: factorHash(req, confirmed, result.step, at),
      };
      res.json({ state: 'signed-in', csrfToken: req.session.csrfToken, account: publicAccount(confirmed) });
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/api/session',
      tag: 'session',
      summary: 'Sign out: the session is destroyed on the server',
      audience: 'anyone',
      responses: { 204: 'signed out' },
    },
    async (req, res) => {
      await destroy(req);
      res.status(204).end();
    },
  );
}
