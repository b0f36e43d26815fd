import { useEffect, useState } from 'react';
import type { BreakGlassRow } from '../../../src/api/ledger-rows';
import type { GatewayClient } from '../../../src/client/api-client';
import { pendingReleases } from '../../../src/client/break-glass';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import type { Directory } from '../app/directory';
import { Refusal } from '../app/refusal';

/**
 * The break-glass openings of records the organisation received that wait
 * for its emergency key (emergency:PendingReleases, a read its peers and
 * another organisation's endorsed), each with a button that fills in the
 * release form: the record and the doctor come from the ledger, not from a
 * phone call. `version` changes after each release, to read the list again.
 */
export function PendingReleases({
  client,
  operator,
  directory,
  version,
  onChoose,
}: {
  client: GatewayClient;
  operator: LedgerIdentity;
  directory: Directory | undefined;
  version: number;
  onChoose: (opening: BreakGlassRow) => void;
}) {
  const [state, setState] = useState<{ openings?: BreakGlassRow[]; error?: unknown }>({});
  useEffect(() => {
    let live = true;
    pendingReleases(client, operator).then(
      (openings) => {
        if (live) setState({ openings });
      },
      (error: unknown) => {
        if (live) setState({ error });
      },
    );
    return () => {
      live = false;
    };
  }, [client, operator, version]);
  const openings = state.openings ?? [];
  return (
    <div data-testid="pending-releases">
      <Refusal error={state.error} />
      {state.openings && openings.length === 0 && <p className="hint">No opening waits for a key release.</p>}
      {openings.length > 0 && (
        <table>
          <caption>Openings waiting for the key</caption>
          <thead>
            <tr>
              <th scope="col">Record</th>
              <th scope="col">Doctor</th>
              <th scope="col">Reason</th>
              <th scope="col">Until</th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {openings.map((o) => (
              <tr key={o.txId} data-testid="pending-release">
                <td className="mono">{o.recordId}</td>
                <td>{directory?.get(o.doctorId)?.enrollmentId ?? o.doctorId}</td>
                <td>{o.reasonCode}</td>
                <td>{new Date(o.expiresAt).toLocaleString()}</td>
                <td>
                  <button
                    type="button"
                    onClick={() => {
                      onChoose(o);
                    }}
                  >
                    Fill in
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
