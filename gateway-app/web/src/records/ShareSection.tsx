import { useCallback, useId, useState } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { allPages } from '../../../src/client/audit';
import { grantAccess, type DeviceAgent, type DeviceKeys } from '../../../src/client/flows';
import { callLedger } from '../../../src/client/ledger-call';
import { Refusal } from '../app/refusal';
import { entryLabel, nameOf, type Directory } from '../app/directory';
import { formatWhen } from './format';
import { GrantsTable } from './GrantsTable';
import type { GrantRow } from '../../../src/api/ledger-rows';
import { GRANT_PURPOSES } from './purposes';
import { PurposeField } from './PurposeField';
import { useLoaded } from '../app/use-loaded';

const DEFAULT_GRANT_DAYS = 7;

/** A time as a datetime-local input holds it: local, to the minute. */
function localInputValue(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

interface Done {
  kind: 'granted' | 'revoked';
  who: string;
  txId: string;
  expiresAt?: string;
}

/**
 * The recipient (a patient) shares the record with a doctor: the data key is re-wrapped on this device for
 * the doctor's key from the ledger, and the grant recorded. Lists the grants, each revocable.
 */
export function ShareSection({
  client,
  keys,
  agent,
  recordId,
  directory,
  onChanged,
}: {
  client: GatewayClient;
  keys: DeviceKeys;
  agent: DeviceAgent;
  recordId: string;
  directory: Directory | undefined;
  onChanged: () => void;
}) {
  const id = useId();
  const load = useCallback(
    () => allPages<GrantRow>(client, keys, 'access:ListGrants', [recordId]),
    [client, keys, recordId],
  );
  const grants = useLoaded(load);
  const [doctorId, setDoctorId] = useState('');
  const [purpose, setPurpose] = useState(GRANT_PURPOSES[0] ?? 'TREAT');
  const [expires, setExpires] = useState(() => localInputValue(Date.now() + DEFAULT_GRANT_DAYS * 86_400_000));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [done, setDone] = useState<Done | null>(null);
  const [now, setNow] = useState(() => Date.now());

  const doctors = [...(directory?.values() ?? [])]
    .filter((e) => e.role === 'doctor' && e.userId !== keys.userId)
    .sort((a, b) => entryLabel(a).localeCompare(entryLabel(b)));

  const act = async (work: () => Promise<Done>) => {
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone(await work());
      grants.reload();
      onChanged();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
      setNow(Date.now());
    }
  };

  const grant = () =>
    act(async () => {
      const expiresAt = new Date(expires).toISOString();
      const { txId } = await grantAccess(client, keys, agent, {
        recordId,
        granteeId: doctorId,
        purpose,
        expiresAt,
      });
      return { kind: 'granted', who: nameOf(directory, doctorId), txId, expiresAt };
    });

  const revoke = (row: GrantRow) =>
    act(async () => {
      const { txId } = await callLedger(client, keys, 'access:RevokeGrant', [recordId, row.granteeId]);
      return { kind: 'revoked', who: nameOf(directory, row.granteeId), txId };
    });

  const expiresValid = !Number.isNaN(Date.parse(expires)) && Date.parse(expires) > now;
  return (
    <section aria-labelledby={`${id}-h`} className="share">
      <h2 id={`${id}-h`}>Share</h2>
      <p className="hint">
        Give a doctor access to this record until a date you choose. The record’s key is re-encrypted on this
        device for the doctor’s key; the grant is recorded on the ledger and you can revoke it at any time.
      </p>
      <div className="inline-fields">
        <div>
          <label htmlFor={`${id}-doctor`}>Doctor</label>
          <select
            id={`${id}-doctor`}
            value={doctorId}
            disabled={busy}
            onChange={(e) => {
              setDoctorId(e.target.value);
            }}
          >
            <option value="">Choose a doctor</option>
            {doctors.map((d) => (
              <option key={d.userId} value={d.userId}>
                {entryLabel(d)}
              </option>
            ))}
          </select>
        </div>
        <div>
          <PurposeField purposes={GRANT_PURPOSES} value={purpose} disabled={busy} onChange={setPurpose} />
        </div>
        <div>
          <label htmlFor={`${id}-expires`}>Access expires</label>
          <input
            id={`${id}-expires`}
            type="datetime-local"
            value={expires}
            disabled={busy}
            aria-invalid={!expiresValid}
            onChange={(e) => {
              setExpires(e.target.value);
            }}
          />
        </div>
      </div>
      <div className="actions">
        <button type="button" disabled={busy || !doctorId || !expiresValid} onClick={() => void grant()}>
          Grant access
        </button>
        {busy && (
          <span role="status" className="hint">
            Checking device and recording on the ledger…
          </span>
        )}
      </div>
      <Refusal error={error} />
      {done && (
        <div className="success" data-testid={done.kind === 'granted' ? 'grant-result' : 'revoke-result'}>
          {done.kind === 'granted'
            ? `Access granted to ${done.who} until ${formatWhen(done.expiresAt)}.`
            : `Access of ${done.who} revoked: their copy of the key was deleted.`}{' '}
          Recorded on the ledger: <code data-testid="share-tx">{done.txId}</code>
        </div>
      )}
      <h3>Who has access</h3>
      <Refusal error={grants.error} />
      {grants.loading && !grants.value && (
        <p role="status" className="hint">
          Reading the grants from the ledger…
        </p>
      )}
      {grants.value && (
        <GrantsTable
          grants={grants.value}
          directory={directory}
          now={now}
          busy={busy}
          onRevoke={(row) => void revoke(row)}
        />
      )}
    </section>
  );
}
