import { z } from 'zod';
import { type AccountStore, MAX_KEY_BACKUP_BYTES } from '../../auth';
import type { ApiRoutes } from '../routes';
import { signedIn } from '../signed-in';
import { publicAccount } from './session';

const backupBody = z.strictObject({ keyBackup: z.string().min(1).max(MAX_KEY_BACKUP_BYTES) });

/** The signed-in user's account and their key backup. */
export function meRoutes(api: ApiRoutes, accounts: AccountStore): void {
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
}
