import { useCallback } from 'react';
import { Refusal } from '../app/refusal';
import { href, type Route } from '../app/router';
import { useSignedIn } from '../app/session';
import { useDirectory } from '../app/directory';
import { KIND_TEXT, loadAccessLog, loadInbox, type InboxKind } from '../records/inbox';
import { InboxTable } from '../records/InboxTable';
import { LoadedAccessLog } from '../records/LoadedAccessLog';
import { EmergencyOpenings } from '../records/EmergencyOpenings';
import { emergencyOpenings } from '../../../src/client/emergency-openings';
import { useLoaded } from '../app/use-loaded';
import '../records/records.css';

const KINDS: readonly InboxKind[] = ['received', 'sent', 'shared', 'emergency'];

/** Links that narrow the list to one kind of record (`#/inbox?kind=received`). */
function KindFilter({ shown }: { shown: InboxKind | undefined }) {
  return (
    <nav aria-label="Show records" className="kind-filter">
      <ul>
        {[undefined, ...KINDS].map((kind) => (
          <li key={kind ?? 'all'}>
            <a
              href={href(kind ? `/inbox?kind=${kind}` : '/inbox')}
              aria-current={kind === shown ? 'page' : undefined}
            >
              {kind ? KIND_TEXT[kind] : 'All'}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** #/inbox: the signed-in user's records and, for patients, who accessed them. */
export function InboxPage({ route }: { route: Route }) {
  const { client, keys, account } = useSignedIn();
  const { directory } = useDirectory(client, keys);
  const role = account.role;
  const load = useCallback(() => loadInbox(client, keys, role), [client, keys, role]);
  const inbox = useLoaded(load);
  const shownKind = KINDS.find((k) => k === route.params.get('kind'));
  const rows = inbox.value;
  const shown = shownKind ? rows?.filter((r) => r.kind === shownKind) : rows;
  const received = (rows ?? [])
    .filter((r) => r.kind === 'received')
    .map((r) => r.recordId)
    .join(',');
  const loadLog = useCallback(
    () => loadAccessLog(client, keys, received ? received.split(',') : []),
    [client, keys, received],
  );
  const loadOpenings = useCallback(
    () =>
      role === 'patient' && received
        ? emergencyOpenings(client, keys, received.split(','))
        : Promise.resolve([]),
    [client, keys, received, role],
  );
  const openings = useLoaded(loadOpenings);

  return (
    <>
      <h1>Records</h1>
      <EmergencyOpenings openings={openings} directory={directory} />
      <section aria-labelledby="inbox-records">
        <div className="section-head">
          <h2 id="inbox-records">Sent, received and shared</h2>
          <button type="button" className="secondary" onClick={inbox.reload} disabled={inbox.loading}>
            Refresh
          </button>
        </div>
        <Refusal error={inbox.error} />
        {inbox.loading && (
          <p role="status" className="hint">
            Reading your records from the ledger…
          </p>
        )}
        {rows && rows.length > 0 && <KindFilter shown={shownKind} />}
        {shown?.length === 0 && (
          <p className="empty" data-testid="inbox-empty">
            {shownKind
              ? `No records of this kind (${KIND_TEXT[shownKind]}).`
              : 'No records yet. Records sent to you, and records a patient shares with you, appear here.'}{' '}
            <a href={href('/send')}>Send a record</a>
          </p>
        )}
        {shown && shown.length > 0 && <InboxTable rows={shown} directory={directory} />}
      </section>
      {role === 'patient' && rows && <PatientAccessLog load={loadLog} directory={directory} />}
    </>
  );
}

function PatientAccessLog({
  load,
  directory,
}: {
  load: () => ReturnType<typeof loadAccessLog>;
  directory: ReturnType<typeof useDirectory>['directory'];
}) {
  const log = useLoaded(load);
  return (
    <section aria-labelledby="inbox-accesses">
      <h2 id="inbox-accesses">Who accessed my records</h2>
      <p className="hint">
        Every attempt to open a record you received, as the ledger recorded it, including refusals. Emergency
        (break-glass) openings are highlighted; auditors review each of them.
      </p>
      <LoadedAccessLog
        log={log}
        directory={directory}
        caption="Access to your records, newest first"
        showRecord
      />
    </section>
  );
}
