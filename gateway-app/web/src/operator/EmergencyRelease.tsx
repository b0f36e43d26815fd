import { useCallback, useId, useMemo, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { releaseBreakGlassKey } from '../../../src/client/break-glass';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import type { EncryptionKeyPair } from '../../../src/envelope';
import { href } from '../app/router';
import { Refusal } from '../app/refusal';
import { entryLabel, type Directory } from '../audit/directory';
import { RECORD_ID_PATTERN } from '../audit/queries';
import { useAction } from '../audit/use-action';

/**
 * The organisation's emergency service: releases a record's data key to the
 * doctor of a break-glass opening in force. The ledger lists openings to
 * auditors only, so the operator names the record and the doctor (who tell
 * them, or the BreakGlassOpened notice does); the chaincode refuses unless an
 * opening of that record by that doctor is in force and its key unreleased.
 */
export function EmergencyRelease({
  client,
  operator,
  mspId,
  emergencyKey,
  directory,
  initial,
}: {
  client: GatewayClient;
  operator: LedgerIdentity;
  mspId: string;
  emergencyKey: EncryptionKeyPair | null;
  directory: Directory | undefined;
  /** A release to fill in, from a link. */
  initial: { recordId: string; doctorId: string };
}) {
  const id = useId();
  const [recordId, setRecordId] = useState(initial.recordId);
  const [doctorId, setDoctorId] = useState(initial.doctorId);
  const doctors = useMemo(
    () =>
      [...(directory?.values() ?? [])]
        .filter((e) => e.role === 'doctor')
        .sort((a, b) => a.mspId.localeCompare(b.mspId) || a.enrollmentId.localeCompare(b.enrollmentId)),
    [directory],
  );
  const release = useCallback(
    async (key: EncryptionKeyPair, record: string, doctor: string) => {
      const { txId } = await releaseBreakGlassKey(client, operator, key, record, doctor);
      return { recordId: record, doctorId: doctor, txId };
    },
    [client, operator],
  );
  const releasing = useAction(release);
  const done = releasing.value;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (emergencyKey) void releasing.run(emergencyKey, recordId.trim(), doctorId);
  };

  return (
    <>
      <p className="hint">
        When a doctor breaks the glass on a record sent to {mspId}, the key stays sealed until your
        organisation&rsquo;s emergency key releases it to them. The ledger shows pending openings to auditors
        only: enter the record and the doctor the opening names.
      </p>
      {!emergencyKey && (
        <div className="op-notice" role="note" data-testid="no-emergency-key">
          <strong>This browser does not hold {mspId}&rsquo;s emergency key.</strong> Import your operator key
          file (the one that registered the emergency key) under <a href={href('/settings')}>Settings</a> or
          on the <a href={href('/recover')}>restore page</a>: &ldquo;Import key file&rdquo;. The private key
          stays in this browser.
        </div>
      )}
      <form onSubmit={submit}>
        <div className="grid-2">
          <div>
            <label htmlFor={`${id}-record`}>Record ID</label>
            <input
              id={`${id}-record`}
              className="mono"
              required
              pattern={RECORD_ID_PATTERN}
              autoComplete="off"
              spellCheck={false}
              value={recordId}
              onChange={(e) => {
                setRecordId(e.target.value);
              }}
            />
          </div>
          <div>
            <label htmlFor={`${id}-doctor`}>Doctor</label>
            <select
              id={`${id}-doctor`}
              required
              value={doctorId}
              onChange={(e) => {
                setDoctorId(e.target.value);
              }}
            >
              <option value="">{directory ? 'Choose the doctor…' : 'Loading the directory…'}</option>
              {doctors.map((entry) => (
                <option key={entry.userId} value={entry.userId}>
                  {entryLabel(entry)}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="actions">
          <button type="submit" disabled={!emergencyKey || releasing.busy}>
            {releasing.busy ? 'Releasing…' : 'Release key'}
          </button>
        </div>
      </form>
      <Refusal error={releasing.error} />
      {done && (
        <div className="success" role="status" data-testid="key-released">
          Released the key of record <span className="mono">{done.recordId}</span> to{' '}
          {directory?.get(done.doctorId)?.enrollmentId ?? done.doctorId}. Ledger transaction:{' '}
          <code>{done.txId}</code>
        </div>
      )}
    </>
  );
}
