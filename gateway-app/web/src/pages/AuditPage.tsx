import { useCallback, useRef, useState } from 'react';
import type { Route } from '../app/router';
import { Refusal } from '../app/refusal';
import { useSignedIn } from '../app/session';
import { AuditTable } from '../audit/AuditTable';
import { BreakGlassReviews } from '../audit/BreakGlassReviews';
import { useDirectory } from '../app/directory';
import { recordQuery, userQuery, type RecordQuery, type UserQuery } from '../audit/queries';
import { RecordHistoryForm } from '../audit/RecordHistoryForm';
import type { Trail } from '../audit/trail';
import { useAction } from '../audit/use-action';
import { UserActivityForm } from '../audit/UserActivityForm';
import '../audit/audit.css';

type Query = { kind: 'record'; query: RecordQuery } | { kind: 'user'; query: UserQuery };

/**
 * The auditor's page: a record's history, a user's activity, each exportable
 * (CSV, JSON, FHIR), and the break-glass openings awaiting review. Every query
 * is a ledger call signed on this device; the gateway only relays it.
 */
export function AuditPage({ route }: { route: Route }) {
  const { client, keys } = useSignedIn();
  const { directory, error: directoryError } = useDirectory(client, keys);
  // `#/audit?record=ID` and `#/audit?user=ID` open the page with the form filled in (links from elsewhere).
  const [record, setRecord] = useState<RecordQuery>(() => ({
    recordId: route.params.get('record') ?? '',
    from: '',
    to: '',
  }));
  const results = useRef<HTMLElement>(null);

  const run = useCallback(
    (q: Query): Promise<Trail> =>
      q.kind === 'record' ? recordQuery(client, keys, q.query) : userQuery(client, keys, directory, q.query),
    [client, keys, directory],
  );
  const trail = useAction(run);

  const showRecord = (recordId: string) => {
    const query = { recordId, from: '', to: '' };
    setRecord(query);
    void trail.run({ kind: 'record', query });
    results.current?.scrollIntoView({ block: 'start' });
  };

  return (
    <div className="audit-page">
      <h1>Audit</h1>
      <p className="hint">
        Every query below is signed by your device and answered by the ledger; exports are made in this
        browser.
      </p>
      <Refusal error={directoryError} />
      <div className="grid-2">
        <section aria-labelledby="audit-record-heading">
          <h2 id="audit-record-heading">Record history</h2>
          <RecordHistoryForm
            value={record}
            onChange={setRecord}
            busy={trail.busy}
            onSubmit={() => void trail.run({ kind: 'record', query: record })}
          />
        </section>
        <section aria-labelledby="audit-user-heading">
          <h2 id="audit-user-heading">User activity</h2>
          <UserActivityForm
            directory={directory}
            initialUserId={route.params.get('user') ?? ''}
            busy={trail.busy}
            onSubmit={(query) => void trail.run({ kind: 'user', query })}
          />
        </section>
      </div>
      <section aria-labelledby="audit-results-heading" ref={results} aria-busy={trail.busy}>
        <h2 id="audit-results-heading">Results</h2>
        {trail.busy && (
          <p role="status" className="hint">
            Asking the ledger…
          </p>
        )}
        <Refusal error={trail.error} />
        {!trail.busy && trail.value && <AuditTable trail={trail.value} directory={directory} />}
        {!trail.busy && !trail.value && trail.error === undefined && (
          <p className="hint">
            Show a record&rsquo;s history or a user&rsquo;s activity to see its events here.
          </p>
        )}
      </section>
      <section aria-labelledby="audit-reviews-heading">
        <h2 id="audit-reviews-heading">Break-glass reviews</h2>
        <BreakGlassReviews client={client} auditor={keys} directory={directory} onShowRecord={showRecord} />
      </section>
    </div>
  );
}
