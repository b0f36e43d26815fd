import { useOrganisationName } from '../app/organisations';
import { href } from '../app/router';
import { nameOf, type Directory } from '../app/directory';
import { formatWhen, shortId } from './format';
import type { AccessRow } from '../../../src/api/ledger-rows';
import { EMERGENCY_PURPOSE, purposeLabel } from './purposes';

/** What the Purpose column says of an attempt. */
function purposeText(row: AccessRow): string {
  if (row.purpose === EMERGENCY_PURPOSE) return 'Emergency (break-glass)';
  if (row.purpose) return purposeLabel(row.purpose);
  return row.refusedAction ? `Refused by the gateway (${row.refusedAction})` : 'Refused by the gateway';
}

/**
 * Who tried to open records, when, why and with what outcome, from the ledger's access trail. Emergency
 * (break-glass) openings stand out.
 */
export function AccessLogTable({
  rows,
  directory,
  caption,
  showRecord,
}: {
  rows: readonly AccessRow[];
  directory: Directory | undefined;
  caption: string;
  showRecord: boolean;
}) {
  const organisation = useOrganisationName();
  if (rows.length === 0)
    return <p className="empty">Nobody has opened {showRecord ? 'your records' : 'this record'} yet.</p>;
  return (
    <div className="table-scroll">
      <table className="access-log">
        <caption>{caption}</caption>
        <thead>
          <tr>
            {showRecord && <th scope="col">Record</th>}
            <th scope="col">Who</th>
            <th scope="col">When</th>
            <th scope="col">Purpose</th>
            <th scope="col">Outcome</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => {
            const emergency = row.purpose === EMERGENCY_PURPOSE;
            return (
              <tr
                key={`${row.recordId}/${row.txId}`}
                className={emergency ? 'breakglass' : undefined}
                data-testid="access-row"
                data-outcome={row.outcome}
                data-purpose={row.purpose ?? ''}
              >
                {showRecord && (
                  <td>
                    <a
                      href={href(`/records/${encodeURIComponent(row.recordId)}`)}
                      className="mono record-link"
                    >
                      {shortId(row.recordId)}
                    </a>
                  </td>
                )}
                <td>{`${nameOf(directory, row.userId)} · ${row.role} · ${organisation(row.mspId)}`}</td>
                <td>
                  <time dateTime={row.at}>{formatWhen(row.at)}</time>
                </td>
                <td>{emergency ? <strong>{purposeText(row)}</strong> : purposeText(row)}</td>
                <td
                  className={row.outcome === 'granted' ? 'outcome-granted' : 'outcome-denied'}
                  title={row.reason}
                >
                  {row.outcome === 'granted' ? 'granted' : 'denied'}
                  <span className="hint"> ({row.reason})</span>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
