import type { RequestHandler } from 'express';
import type { AccountStore } from '../auth';
import { HttpError } from './errors';
import { destroy } from './session';

/** What the guard asks about certificates (a `RevocationWatch`). */
export interface Revocations {
  isRevoked(certificatePem: string): boolean;
  gatewayRevoked(): boolean;
}

/**
 * Ends sessions whose user's certificate its CA has revoked (401
 * `IDENTITY_REVOKED`), a sign-in half done included, and everything once the
 * gateway's own identity is revoked (503 `GATEWAY_REVOKED`): the same CRLs
 * that make the peers refuse those identities.
 */
export function revocationGuard(accounts: AccountStore, revocations: Revocations): RequestHandler {
  return (req, _res, next) => {
    const accountId = req.session.auth?.accountId ?? req.session.pending?.accountId;
    const certificate = accountId === undefined ? null : (accounts.byId(accountId)?.certificatePem ?? null);
    let refusal: HttpError | undefined;
    if (revocations.gatewayRevoked()) {
      refusal = new HttpError(
        503,
        'GATEWAY_REVOKED',
        'this gateway\u2019s identity has been revoked; use another gateway of your organisation',
      );
    } else if (certificate !== null && revocations.isRevoked(certificate)) {
      refusal = new HttpError(
        401,
        'IDENTITY_REVOKED',
        'your certificate has been revoked by your organisation; your session has ended',
      );
    }
    if (!refusal) {
      next();
      return;
    }
    const error = refusal;
    if (accountId === undefined) {
      next(error);
      return;
    }
    destroy(req).then(
      () => {
        next(error);
      },
      () => {
        next(error);
      },
    );
  };
}
