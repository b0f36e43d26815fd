import type { DirectoryEntry } from '../../api/wire';
import { z } from 'zod';
import { type AccountStore, MAX_KEY_BACKUP_BYTES } from '../../auth';
import type { ApiRoutes } from '../routes';
import { signedIn } from '../signed-in';
import { publicAccount } from './session';

const backupBody = z.strictObject({ keyBackup: z.string().min(1).max(MAX_KEY_BACKUP_BYTES) });
const directoryQuery = z.strictObject({
  role: z.enum(['technologist', 'doctor', 'patient', 'auditor', 'admin']).optional(),
  mspId: z.string().max(64).optional(),
});

/** The signed-in user's account, their key backup, and the directory of people to send to. */
export function meRoutes(
  api: ApiRoutes,
  accounts: AccountStore,
  organisations: () => readonly string[],
): void {
  api.add(
    {
      method: 'get',
      path: '/api/me',
      tag: 'account',
      summary: 'The signed-in account',
      audience: 'signed-in',
      responses: { 200: 'the account' },
    },
    async (req, res) => {
      const { account } = await signedIn(req, accounts);
      res.json(publicAccount(account));
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/me/key-backup',
      tag: 'account',
      summary: 'The passphrase-wrapped key backup, to restore keys on a new device',
      audience: 'signed-in',
      responses: { 200: '{keyBackup}', 404: 'no backup stored' },
    },
    async (req, res) => {
      const { account } = await signedIn(req, accounts);
      res.json({ keyBackup: account.keyBackup });
    },
  );

  api.add(
    {
      method: 'put',
      path: '/api/me/key-backup',
      tag: 'account',
      summary: 'Replace the passphrase-wrapped key backup (opaque to the gateway)',
      audience: 'signed-in',
      body: backupBody,
      responses: { 204: 'stored' },
    },
    async (req, res, body) => {
      const { account } = await signedIn(req, accounts);
      accounts.setKeyBackup(account.accountId, body.keyBackup);
      res.status(204).end();
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/directory',
      tag: 'account',
      summary:
        'Active enrolled users to send to: organisation, login, role, ledger id and certificate (keys come from the ledger)',
      audience: 'signed-in',
      responses: { 200: '{users: [{userId, mspId, enrollmentId, role, certificatePem}]}' },
    },
    async (req, res) => {
      await signedIn(req, accounts);
      const query = directoryQuery.parse(req.query);
      const users = (query.mspId ? [query.mspId] : organisations())
        .flatMap((mspId) => accounts.list(mspId))
        .filter((a) => a.status === 'active' && a.userId !== null && (!query.role || a.role === query.role))
        .flatMap((a): DirectoryEntry[] =>
          a.certificatePem === null || a.userId === null
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
      res.json({ users });
    },
  );
}
