import { z } from 'zod';
import type { DirectoryEntry } from '../../api/wire';
import type { AccountStore } from '../../auth';
import type { FederatedDirectory } from '../../federation/directory';
import { FEDERATION_DIRECTORY_PATH } from '../../federation/directory';
import { verifyFederationRequest } from '../../federation/request-signature';
import type { TrustBundle } from '../../trust/bundle';
import type { ApiRoutes } from '../routes';
import { signedIn } from '../signed-in';

/** What the directory routes use. */
export interface DirectoryDeps {
  accounts: AccountStore;
  /** The organisations this gateway serves (one, in production). */
  organisations(): readonly string[];
  /** The other organisations' users, from their gateways; absent when this gateway serves them all. */
  federated?: FederatedDirectory;
  trustBundle: TrustBundle;
}

const directoryQuery = z.strictObject({
  role: z.enum(['technologist', 'doctor', 'patient', 'auditor', 'admin']).optional(),
  mspId: z.string().max(64).optional(),
});

/** The active, enrolled users of the organisations this gateway serves, each with their certificate. */
function ownEntries(deps: DirectoryDeps): DirectoryEntry[] {
  return deps
    .organisations()
    .flatMap((mspId) => deps.accounts.list(mspId))
    .flatMap((a): DirectoryEntry[] =>
      a.status !== 'active' || a.certificatePem === null || a.userId === null
        ? []
        : [
            {
              userId: a.userId,
              mspId: a.mspId,
              enrollmentId: a.enrollmentId,
              role: a.role,
              certificatePem: a.certificatePem,
            },
          ],
    );
}

/**
 * The directory of people to send to: this organisation's users, and the
 * other organisations' as their gateways list them. Devices check every entry
 * against the ledger before they use it; the gateways are not trusted for it.
 */
export function directoryRoutes(users: ApiRoutes, open: ApiRoutes, deps: DirectoryDeps): void {
  users.add(
    {
      method: 'get',
      path: '/api/directory',
      tag: 'account',
      summary:
        'Active enrolled users to send to, of every organisation: organisation, login, role, ledger id and certificate (keys come from the ledger)',
      audience: 'signed-in',
      responses: { 200: '{users: [{userId, mspId, enrollmentId, role, certificatePem}]}' },
    },
    async (req, res) => {
      await signedIn(req, deps.accounts);
      const query = directoryQuery.parse(req.query);
      const all = [...ownEntries(deps), ...((await deps.federated?.entries()) ?? [])];
      res.json({
        users: all.filter(
          (u) => (!query.mspId || u.mspId === query.mspId) && (!query.role || u.role === query.role),
        ),
      });
    },
  );

  open.add(
    {
      method: 'get',
      path: FEDERATION_DIRECTORY_PATH,
      tag: 'federation',
      summary:
        'This organisation’s users, for another consortium organisation’s gateway (a request signed with its gateway identity)',
      audience: 'consortium-gateway',
      responses: { 200: '{users: [...]}', 403: 'FEDERATION_REFUSED' },
    },
    async (req, res) => {
      await verifyFederationRequest(
        (name) => req.get(name),
        'GET',
        FEDERATION_DIRECTORY_PATH,
        deps.trustBundle,
      );
      res.json({ users: ownEntries(deps) });
    },
  );
}
