import type { Request } from 'express';
import type { SessionData } from 'express-session';
import type { Account, AccountStore } from '../auth';
import { HttpError } from './errors';
import { destroy, namesEndedSession, sessionExpired } from './session';

/** The user of a session that passed both factors, re-read from the store on every request. */
export interface SignedInUser {
  account: Account;
  auth: NonNullable<SessionData['auth']>;
}

/**
 * The session's user, or a refusal: 401 without both factors (`SESSION_EXPIRED`
 * when the request names a session the gateway no longer holds), 403 (and the
 * session ended) when the account was suspended since sign-in.
 */
export async function signedIn(req: Request, accounts: AccountStore): Promise<SignedInUser> {
  const auth = req.session.auth;
  if (!auth) {
    if (namesEndedSession(req)) throw sessionExpired();
    throw new HttpError(401, 'NOT_SIGNED_IN', 'sign in with your password and TOTP code first');
  }
  const account = accounts.byId(auth.accountId);
  if (account?.status !== 'active') {
    await destroy(req);
    throw new HttpError(
      403,
      'ACCOUNT_SUSPENDED',
      'this account is suspended; ask your organisation operator',
    );
  }
  return { account, auth };
}

/** Like {@link signedIn}, for operators (organisation admins) only. */
export async function signedInOperator(req: Request, accounts: AccountStore): Promise<SignedInUser> {
  const user = await signedIn(req, accounts);
  if (user.account.role !== 'admin') {
    throw new HttpError(403, 'OPERATORS_ONLY', 'only organisation operators may do this');
  }
  return user;
}

/** The user's enrolment certificate and ledger id, which every ledger call needs. */
export function enrolled(account: Account): Account & { certificatePem: string; userId: string } {
  if (account.certificatePem === null || account.userId === null) {
    throw new HttpError(409, 'NOT_ENROLLED', 'this account has no enrolment certificate yet');
  }
  return { ...account, certificatePem: account.certificatePem, userId: account.userId };
}
