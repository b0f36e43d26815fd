import { useCallback, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { releaseBreakGlassKey } from '../../../src/client/break-glass';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import type { EncryptionKeyPair } from '../../../src/envelope';
import { href } from '../app/router';
import { Refusal } from '../app/refusal';
import type { Directory } from '../app/directory';
import { PersonField } from '../app/PersonField';
import { SubmitRow } from '../app/SubmitRow';
import { RecordIdField } from '../audit/RecordIdField';
import { useAction } from '../audit/use-action';
import { PendingReleases } from './PendingReleases';

/**
 * The organisation's emergency service: releases a record's data key to the
 * doctor of a break-glass opening in force, chosen from the openings the
 * ledger lists as waiting (or named by a link); the chaincode refuses unless
 * an opening of that record by that doctor is in force and its key unreleased.
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
  const [recordId, setRecordId] = useState(initial.recordId);
  const [doctorId, setDoctorId] = useState(initial.doctorId);
  // Read the waiting openings again after each release.
  const [version, setVersion] = useState(0);
  const release = useCallback(
    async (key: EncryptionKeyPair, record: string, doctor: string) => {
      const { txId } = await releaseBreakGlassKey(client, operator, key, record, doctor);
      setVersion((v) => v + 1);
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
        organisation&rsquo;s emergency key releases it to them. Choose an opening below, or enter the record
        and the doctor.
      </p>
      <PendingReleases
        client={client}
        operator={operator}
        directory={directory}
        version={version}
        onChoose={(opening) => {
          setRecordId(opening.recordId);
          setDoctorId(opening.doctorId);
        }}
      />
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
            <RecordIdField value={recordId} onChange={setRecordId} />
          </div>
          <div>
            <PersonField
              label="Doctor"
              placeholder="Choose the doctor…"
              directory={directory}
              role="doctor"
              value={doctorId}
              onChange={setDoctorId}
            />
          </div>
        </div>
        <SubmitRow
          label="Release key"
          busyLabel="Releasing…"
          busy={releasing.busy}
          disabled={!emergencyKey}
        />
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
