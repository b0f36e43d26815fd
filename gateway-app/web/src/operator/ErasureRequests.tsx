import { useOrganisationName } from '../app/organisations';
import { useCallback } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { confirmErasure, pendingErasures } from '../../../src/client/erasure';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import { nameOf, type Directory } from '../app/directory';
import { Refusal } from '../app/refusal';
import { useLoaded } from '../app/use-loaded';
import { useAction } from '../audit/use-action';
import { ErasureFacts } from '../records/ErasureFacts';
import { formatWhen, shortId } from '../records/format';

/**
 * Erasure requests of records the operator's organisation holds, waiting for
 * its confirmation. Confirming is signed on this device; the last
 * confirmation stops every read and has the storage nodes cleared.
 */
export function ErasureRequests({
  client,
  operator,
  directory,
}: {
  client: GatewayClient;
  operator: LedgerIdentity;
  directory: Directory | undefined;
}) {
  const organisation = useOrganisationName();
  const load = useCallback(() => pendingErasures(client, operator), [client, operator]);
  const pending = useLoaded(load);
  const confirm = useAction(
    useCallback(
      async (recordId: string) => {
        const done = await confirmErasure(client, operator, recordId);
        pending.reload();
        return done;
      },
      [client, operator, pending],
    ),
  );
  const rows = pending.value ?? [];
  return (
    <div data-testid="erasure-requests">
      <Refusal error={pending.error} />
      {pending.value && rows.length === 0 && <p className="hint">No erasure waits for your confirmation.</p>}
      {rows.length > 0 && (
        <table>
          <caption>Erasures waiting for your organisation</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Asked by</th>
              <th scope="col">Asked</th>
              <th scope="col">Confirmed by</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.map((e) => (
              <tr key={e.recordId} data-testid="erasure-request">
                <td className="mono" title={e.recordId}>
                  {shortId(e.recordId)}
                </td>
                <td>{`${nameOf(directory, e.requestedBy)} (${organisation(e.requesterMspId)})`}</td>
                <td>
                  <time dateTime={e.requestedAt}>{formatWhen(e.requestedAt)}</time>
                </td>
                <td>{e.confirmations.map((c) => c.mspId).join(', ') || '—'}</td>
                <td>
                  <button
                    type="button"
                    className="danger"
                    disabled={confirm.busy}
                    onClick={() => {
                      void confirm.run(e.recordId);
                    }}
                  >
                    Confirm erasure of {shortId(e.recordId)}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Refusal error={confirm.error} />
      {confirm.value && (
        <div className="success" role="status" data-testid="erasure-confirmed">
          Confirmed in transaction <code>{confirm.value.txId}</code>.
          <ErasureFacts erasure={confirm.value.erasure} />
        </div>
      )}
    </div>
  );
}
