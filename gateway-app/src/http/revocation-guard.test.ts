import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Request, Response } from 'express';
import type { AccountStore } from '../auth';
import { HttpError } from './errors';
import { revocationGuard, type Revocations } from './revocation-guard';

const REVOKED = 'revoked certificate';
const KEPT = 'kept certificate';

/** Runs the guard once over a request whose session holds `session`; returns what it passed on and whether it ended the session. */
async function run(
  session: { auth?: { accountId: string }; pending?: { accountId: string } },
  revocations: Revocations,
): Promise<{ error: unknown; destroyed: boolean }> {
  const accounts = {
    byId: (id: string) => ({ accountId: id, certificatePem: id === 'revoked' ? REVOKED : KEPT }),
  } as unknown as AccountStore;
  let destroyed = false;
  const req = {
    session: {
      ...session,
      destroy(callback: (error?: unknown) => void) {
        destroyed = true;
        callback();
      },
    },
  } as unknown as Request;
  const error = await new Promise<unknown>((resolve) => {
    void revocationGuard(accounts, revocations)(req, {} as unknown as Response, resolve);
  });
  return { error, destroyed };
}

const list = (gatewayRevoked = false): Revocations => ({
  isRevoked: (pem) => pem === REVOKED,
  gatewayRevoked: () => gatewayRevoked,
});

describe('revocationGuard', () => {
  it('lets sessions of certificates nobody revoked through, and requests without a session', async () => {
    assert.deepEqual(await run({ auth: { accountId: 'kept' } }, list()), {
      error: undefined,
      destroyed: false,
    });
    assert.deepEqual(await run({}, list()), { error: undefined, destroyed: false });
  });

  it('ends a signed-in or half-signed-in session of a revoked certificate with IDENTITY_REVOKED', async () => {
    for (const session of [{ auth: { accountId: 'revoked' } }, { pending: { accountId: 'revoked' } }]) {
      const { error, destroyed } = await run(session, list());
      assert.ok(error instanceof HttpError);
      assert.equal(error.status, 401);
      assert.equal(error.code, 'IDENTITY_REVOKED');
      assert.equal(destroyed, true);
    }
  });

  it('ends every session once the gateway itself is revoked, with GATEWAY_REVOKED', async () => {
    const signedIn = await run({ auth: { accountId: 'kept' } }, list(true));
    assert.ok(signedIn.error instanceof HttpError);
    assert.equal(signedIn.error.status, 503);
    assert.equal(signedIn.error.code, 'GATEWAY_REVOKED');
    assert.equal(signedIn.destroyed, true);
    const anonymous = await run({}, list(true));
    assert.ok(anonymous.error instanceof HttpError);
    assert.equal(anonymous.error.code, 'GATEWAY_REVOKED');
  });
});
