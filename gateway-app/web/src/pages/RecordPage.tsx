import { useCallback } from 'react';
import { Refusal } from '../app/refusal';
import type { Route } from '../app/router';
import { useSignedIn } from '../app/session';
import { personOf, useDirectory, type Directory } from '../app/directory';
import { formatWhen, shortId } from '../records/format';
import { loadAccessLog } from '../records/inbox';
import { LoadedAccessLog } from '../records/LoadedAccessLog';
import { OpenRecordSection } from '../records/OpenRecordSection';
import { EMERGENCY_PURPOSE, OPEN_PURPOSES } from '../records/purposes';
import { loadRecordContext, openingState, type RecordContext } from '../records/record-context';
import { ShareSection } from '../records/ShareSection';
import { EraseSection } from '../records/EraseSection';
import type { AccessRow, TransferRow } from '../../../src/api/ledger-rows';
import { useLoaded, type Loaded } from '../app/use-loaded';
import '../records/records.css';

/** #/records/<id>[?purpose=ETREAT]: open and view a record; its recipient also shares it and sees its access log. */
export function RecordPage({ route, recordId }: { route: Route; recordId: string }) {
  // A new record id starts afresh: nothing opened, nothing shown, of the previous one.
  return <RecordView key={recordId} recordId={recordId} wantedPurpose={route.params.get('purpose')} />;
}

function RecordView({ recordId, wantedPurpose }: { recordId: string; wantedPurpose: string | null }) {
  const { client, keys, agent, account } = useSignedIn();
  const { directory } = useDirectory(client, keys);
  const role = account.role;
  const loadContext = useCallback(
    () => loadRecordContext(client, keys, role, recordId),
    [client, keys, role, recordId],
  );
  const context = useLoaded(loadContext);
  const loadLog = useCallback(() => loadAccessLog(client, keys, [recordId]), [client, keys, recordId]);
  const transfer = context.value?.transfer;
  const isRecipient = transfer?.recipientId === keys.userId;
  // Only the recipient (and auditors) may read a record's access trail.
  const loadLogIfRecipient = useCallback(async () => (isRecipient ? loadLog() : []), [isRecipient, loadLog]);
  const log = useLoaded(loadLogIfRecipient);

  const opening = context.value?.opening;
  const emergency =
    role === 'doctor' && (wantedPurpose === EMERGENCY_PURPOSE || opening !== undefined) && !isRecipient;
  const purposes = [...(OPEN_PURPOSES[role] ?? []), ...(emergency ? [EMERGENCY_PURPOSE] : [])];
  const initialPurpose =
    wantedPurpose && purposes.includes(wantedPurpose) ? wantedPurpose : (purposes[0] ?? '');

  return (
    <>
      <h1>Record {shortId(recordId)}</h1>
      <p className="hint">
        Record id <code data-testid="full-record-id">{recordId}</code>
      </p>
      <Refusal error={context.error} />
      {transfer && <TransferFacts transfer={transfer} directory={directory} me={keys.userId} />}
      {transfer?.senderId === keys.userId && (
        <p className="notice" data-testid="sender-notice">
          You sent this record. Only its recipient, and the doctors they share it with, can open it: opening
          it yourself would be refused, and the refusal recorded on the ledger.
        </p>
      )}
      {opening && context.value && <OpeningFacts opening={opening} readAt={context.value.readAt} />}
      <OpenRecordSection
        client={client}
        keys={keys}
        agent={agent}
        recordId={recordId}
        purposes={purposes}
        initialPurpose={initialPurpose}
        directory={directory}
        refreshContext={loadContext}
        onOpened={log.reload}
      />
      {isRecipient && role === 'patient' && (
        <ShareSection
          client={client}
          keys={keys}
          agent={agent}
          recordId={recordId}
          directory={directory}
          onChanged={log.reload}
        />
      )}
      {isRecipient && <RecordAccessLog log={log} directory={directory} />}
      {isRecipient && <EraseSection client={client} keys={keys} recordId={recordId} />}
    </>
  );
}

function TransferFacts({
  transfer,
  directory,
  me,
}: {
  transfer: TransferRow;
  directory: Directory | undefined;
  me: string;
}) {
  return (
    <dl className="facts panel">
      <dt>From</dt>
      <dd>{transfer.senderId === me ? 'You' : personOf(directory, transfer.senderId)}</dd>
      <dt>To</dt>
      <dd>{transfer.recipientId === me ? 'You' : personOf(directory, transfer.recipientId)}</dd>
      <dt>Sent</dt>
      <dd>
        <time dateTime={transfer.createdAt}>{formatWhen(transfer.createdAt)}</time>
      </dd>
      <dt>Transfer on the ledger</dt>
      <dd>
        <code>{transfer.txId}</code>
      </dd>
    </dl>
  );
}

function OpeningFacts({
  opening,
  readAt,
}: {
  opening: NonNullable<RecordContext['opening']>;
  readAt: number;
}) {
  const state = openingState(opening, readAt);
  return (
    <div className="notice breakglass" data-testid="break-glass-state" data-state={state}>
      <strong>Your break-glass opening</strong> ({opening.reasonCode}), opened {formatWhen(opening.openedAt)}:{' '}
      {state === 'ended'
        ? 'it has ended.'
        : state === 'released'
          ? `the key was released to you; in force until ${formatWhen(opening.expiresAt)}. Open it with purpose ${EMERGENCY_PURPOSE}.`
          : `waiting for the emergency service to release the key; in force until ${formatWhen(opening.expiresAt)}.`}
    </div>
  );
}

function RecordAccessLog({ log, directory }: { log: Loaded<AccessRow[]>; directory: Directory | undefined }) {
  return (
    <section aria-labelledby="record-access-log">
      <div className="section-head">
        <h2 id="record-access-log">Access log</h2>
        <button type="button" className="secondary" onClick={log.reload} disabled={log.loading}>
          Refresh
        </button>
      </div>
      <p className="hint">
        Every attempt to open this record, granted or refused, as the ledger recorded it.
      </p>
      <LoadedAccessLog
        log={log}
        directory={directory}
        caption="Accesses to this record, newest first"
        showRecord={false}
      />
    </section>
  );
}
