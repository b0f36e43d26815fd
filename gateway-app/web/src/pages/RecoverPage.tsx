import { useState, type SubmitEvent } from 'react';
import { Refusal } from '../app/refusal';
import { SubmitRow } from '../app/SubmitRow';
import { navigate, type Route } from '../app/router';
import { useSession } from '../app/session';
import type { StoredIdentity } from '../app/keystore';
import { identityFromKeyFile } from './auth/key-file';
import { PasswordField } from './auth/PasswordField';
import { restoreFromBackup } from './auth/restore-backup';
import { saveDeviceIdentity } from './identity';
import './auth.css';

/**
 * Puts the signed-in account's keys into this browser: from the encrypted
 * backup the gateway keeps (opened here with the backup passphrase), or from
 * a key file the CLI wrote. Both are checked against the account before they
 * are kept, non-extractable.
 */
export function RecoverPage({ route }: { route: Route }) {
  const session = useSession();
  const { client, account, keys } = session;
  const [passphrase, setPassphrase] = useState('');
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);

  if (!account) return null;

  async function keep(load: () => Promise<StoredIdentity>, working: string) {
    setBusy(true);
    setError(null);
    setStatus(working);
    try {
      const identity = await load();
      setStatus('Checked: these are your account\u2019s keys. Saving them in this browser\u2026');
      await saveDeviceIdentity(identity);
      setPassphrase('');
      setStatus('Your keys are restored on this browser.');
      await session.refresh();
      if (route.segments[0] === 'recover') navigate('/');
    } catch (e) {
      setError(e);
      setStatus('');
    } finally {
      setBusy(false);
    }
  }

  function restore(event: SubmitEvent) {
    event.preventDefault();
    if (!account) return;
    const who = account;
    void keep(
      () => restoreFromBackup(client, who, passphrase),
      'Opening your backup in this browser (this takes a few seconds)\u2026',
    );
  }

  function importFile(event: SubmitEvent) {
    event.preventDefault();
    if (!account || !file) return;
    const [who, chosen] = [account, file];
    void keep(
      async () => identityFromKeyFile(await chosen.text(), who),
      'Reading the key file in this browser\u2026',
    );
  }

  return (
    <div className="auth auth-wide">
      <h1>Restore your keys on this browser</h1>
      <p>
        You are signed in as <strong>{account.enrollmentId}</strong> of <strong>{account.mspId}</strong>.{' '}
        {keys
          ? 'This browser already holds keys for this account; restoring replaces them.'
          : 'This browser holds no keys for this account yet. Your keys never reach the gateway in the clear, so bring them here in one of these two ways.'}
      </p>
      <div className="grid-2">
        <section aria-labelledby="recover-backup">
          <h2 id="recover-backup">Restore from the encrypted backup</h2>
          <p className="hint">
            The gateway keeps a backup of your keys, encrypted with the backup passphrase you chose when you
            enrolled. It cannot open it: the backup is decrypted here, in this browser.
          </p>
          {!account.hasKeyBackup && (
            <p className="hint">The gateway holds no backup for this account: use a key file instead.</p>
          )}
          <form onSubmit={restore}>
            <PasswordField
              id="recover-passphrase"
              label="Backup passphrase"
              autoComplete="off"
              value={passphrase}
              onChange={setPassphrase}
            />
            <SubmitRow label="Restore keys" busy={busy} />
          </form>
        </section>
        <section aria-labelledby="recover-file">
          <h2 id="recover-file">Import keys from a file</h2>
          <p className="hint">
            For accounts set up with the <code>medshare</code> command line (operators, for instance): choose
            the <code>.json</code> key file it wrote. The file is read only in this browser and never
            uploaded.
          </p>
          <form onSubmit={importFile}>
            <label htmlFor="recover-file-input">Key file</label>
            <input
              id="recover-file-input"
              type="file"
              accept=".json,application/json"
              onChange={(e) => {
                setFile(e.target.files?.[0] ?? null);
              }}
              required
            />
            <SubmitRow label="Import key file" busy={busy} disabled={!file} />
          </form>
        </section>
      </div>
      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
      <Refusal error={error} />
    </div>
  );
}
