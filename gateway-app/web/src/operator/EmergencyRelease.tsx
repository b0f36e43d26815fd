import { useCallback, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { contributeKeyShare } from '../../../src/client/break-glass';
import type { DeviceKeys } from '../../../src/client/flows';
import { Refusal } from '../app/refusal';
import type { Directory } from '../app/directory';
import { PersonField } from '../app/PersonField';
import { SubmitRow } from '../app/SubmitRow';
import { RecordIdField } from '../audit/RecordIdField';
import { useAction } from '../audit/use-action';
import { PendingReleases } from './PendingReleases';

/**
 * An emergency key holder's part in a release: contributes their share of a
 * record's data key to the doctor of a break-glass opening in force, chosen
 * from the openings the ledger lists as waiting (or named by a link). The
 * share is unwrapped with the operator's own key and re-wrapped for the doctor
 * in this browser; the key is released when the key set's threshold of
 * holders have contributed. The chaincode refuses unless an opening of that
 * record by that doctor is in force and its key unreleased.
 */
export function EmergencyRelease({
  client,
  operator,
  mspId,
  directory,
  initial,
}: {
  client: GatewayClient;
  operator: DeviceKeys;
  mspId: string;
  directory: Directory | undefined;
  /** A release to fill in, from a link. */
  initial: { recordId: string; doctorId: string };
}) {
  const [recordId, setRecordId] = useState(initial.recordId);
  const [doctorId, setDoctorId] = useState(initial.doctorId);
  // Read the waiting openings again after each release.
  const [version, setVersion] = useState(0);
  const release = useCallback(
    async (record: string, doctor: string) => {
      const result = await contributeKeyShare(client, operator, record, doctor);
      setVersion((v) => v + 1);
      return { recordId: record, doctorId: doctor, ...result };
    },
    [client, operator],
  );
  const releasing = useAction(release);
  const done = releasing.value;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void releasing.run(recordId.trim(), doctorId);
  };

  return (
    <>
      <p className="hint">
        When a doctor breaks the glass on a record sent to {mspId}, the key stays sealed until enough holders
        of your organisation&rsquo;s emergency key set each contribute their share; no one holder can release
        it alone. Choose an opening below, or enter the record and the doctor.
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
        <SubmitRow label="Contribute my share" busyLabel="Contributing…" busy={releasing.busy} />
      </form>
      <Refusal error={releasing.error} />
      {done && (
        <div
          className="success"
          role="status"
          data-testid={done.released ? 'key-released' : 'share-contributed'}
        >
          {done.released ? 'Released the key' : 'Contributed your share of the key'} of record{' '}
          <span className="mono">{done.recordId}</span> to{' '}
          {directory?.get(done.doctorId)?.enrollmentId ?? done.doctorId}: {done.shares} of {done.threshold}{' '}
          shares{done.released ? '' : '; another holder must contribute theirs'}. Ledger transaction:{' '}
          <code>{done.txId}</code>
        </div>
      )}
    </>
  );
}
