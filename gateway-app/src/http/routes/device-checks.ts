import type { RequestHandler } from 'express';
import { rateLimit } from 'express-rate-limit';
import { z } from 'zod';
import type { AccountStore } from '../../auth';
import type { DeviceRegistry } from '../../device/device-registry';
import type { NonceBook } from '../../device/nonces';
import type { DevicePolicy } from '../../device/policy';
import { verifyDeviceReport } from '../../device/verify';
import type { RefusalRecorder } from '../../fabric/refusals';
import { HttpError } from '../errors';
import type { ApiRoutes } from '../routes';
import type { Revocations } from '../revocation-guard';
import { enrolled, signedIn } from '../signed-in';

/** What the device-check routes use. */
export interface DeviceCheckDeps {
  accounts: AccountStore;
  devices: DeviceRegistry;
  nonces: NonceBook;
  policy: DevicePolicy;
  /** PEM roots of each organisation's CA, by MSP id. */
  caCertificates: ReadonlyMap<string, readonly string[]>;
  /** Certificates their CAs revoked (the channel configuration's CRLs). */
  revocations: Pick<Revocations, 'isRevoked'>;
  refusals: RefusalRecorder;
  publicOrigin: string;
  /** Failed device checks one user may have recorded per window (default 10 per 10 minutes). */
  refusalLimit?: { limit: number; windowSeconds: number };
  now?: () => number;
}

const NONCE_TTL_MS = 120_000;

const verifyBody = z.strictObject({
  report: z.unknown(),
  action: z.enum(['login', 'send', 'access', 'breakGlass']),
  recordId: z
    .string()
    .regex(/^[A-Za-z0-9_-]{16,64}$/)
    .optional(),
});

/**
 * The device health check, run before every send and every access: the
 * gateway issues a nonce, the device agent signs a posture report over it,
 * and the gateway verifies certificate, nonce, freshness and policy. A pass
 * is kept in the session for the one transaction it authorises; a failure is
 * refused with its reason and recorded on the ledger.
 */
export function deviceCheckRoutes(api: ApiRoutes, deps: DeviceCheckDeps): void {
  const clock = deps.now ?? Date.now;
  const now = () => new Date(clock());
  const sessionKey = (accountId: string, at: number) => `${accountId}:${at}`;

  api.add(
    {
      method: 'post',
      path: '/api/device-checks',
      tag: 'device',
      summary: 'Start a device check: a fresh nonce for the device agent to sign',
      audience: 'signed-in',
      responses: { 201: '{nonce, audience, expiresAt}' },
    },
    async (req, res) => {
      const { auth } = await signedIn(req, deps.accounts);
      const issued = deps.nonces.issue(sessionKey(auth.accountId, auth.at), NONCE_TTL_MS);
      res.status(201).json({ ...issued, audience: deps.publicOrigin });
    },
  );

  api.add(
    {
      method: 'post',
      path: '/api/device-checks/verify',
      tag: 'device',
      summary: 'Hand in the device agent\u2019s signed posture report for the next send or access',
      audience: 'signed-in',
      body: verifyBody,
      responses: {
        200: '{deviceId, postureHash}: the next send or access may go ahead',
        403: 'DEVICE_CHECK_FAILED with the reason and, when recorded, the ledger transaction',
        429: 'TOO_MANY_REFUSALS: this user had too many failed checks recently; nothing is checked or recorded',
      },
    },
    refusalBudget(deps.refusalLimit ?? { limit: 10, windowSeconds: 600 }),
    async (req, res, body) => {
      const { account, auth } = await signedIn(req, deps.accounts);
      const user = enrolled(account);
      delete req.session.deviceCheck;
      const result = await verifyDeviceReport(
        {
          report: body.report,
          mspId: user.mspId,
          sessionKey: sessionKey(auth.accountId, auth.at),
          nonces: deps.nonces,
          audience: deps.publicOrigin,
        },
        {
          caCertificates: deps.caCertificates,
          revoked: (pem) => deps.revocations.isRevoked(pem),
          registry: deps.devices,
          policy: deps.policy,
          now,
        },
      );
      if (!result.ok) {
        const refusalTxId = await deps.refusals.record({
          mspId: user.mspId,
          userId: user.userId,
          action: body.action,
          // A send or a sign-in names no record on the ledger (the chaincode refuses one that does).
          recordId: body.action === 'send' || body.action === 'login' ? '' : (body.recordId ?? ''),
          code: `DEVICE_${result.code}`,
          reason: result.message,
          evidenceHash: result.postureHash ?? '',
        });
        throw new HttpError(403, 'DEVICE_CHECK_FAILED', result.message, {
          details: {
            reason: result.code,
            violations: result.violations.map((v) => ({ code: v.code, message: v.message })),
            ...(refusalTxId ? { refusalTxId } : {}),
          },
        });
      }
      // A check at sign-in shows the device is fit; each send or access still needs its own.
      if (body.action !== 'login') {
        req.session.deviceCheck = {
          deviceId: result.deviceId,
          postureHash: result.postureHash,
          at: Date.now(),
        };
      }
      res.json({ deviceId: result.deviceId, postureHash: result.postureHash });
    },
  );
}

/**
 * Each failed device check writes a refusal to the ledger, so failures are
 * budgeted per user (per session account): past `limit` failures in the
 * window the answer is 429 `TOO_MANY_REFUSALS`, before the report is looked
 * at, and nothing is written. Passed checks do not count.
 */
function refusalBudget(options: { limit: number; windowSeconds: number }): RequestHandler {
  return rateLimit({
    windowMs: options.windowSeconds * 1000,
    limit: options.limit,
    skipSuccessfulRequests: true,
    keyGenerator: (req) => `account:${req.session.auth?.accountId ?? 'none'}`,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    handler: (_req, _res, next) => {
      next(
        new HttpError(
          429,
          'TOO_MANY_REFUSALS',
          'too many failed device checks; fix the device and try again later',
          { details: { retryAfterSeconds: options.windowSeconds } },
        ),
      );
    },
  });
}
