import { useMemo, useState } from 'react';
import {
  exportCsv,
  exportFhir,
  exportJson,
  toAuditRows,
  type AuditRow,
} from '../../../src/client/audit-export';
import { Refusal } from '../app/refusal';
import type { Directory } from '../app/directory';
import { downloadFile, exportFileName } from './download';
import { shortHex } from './ids';
import { formatWhen } from './time';
import { isBreakGlass, KIND_LABELS, type Trail } from './trail';
import { UserRef } from './UserRef';

type Format = 'csv' | 'json' | 'fhir';

const EXPORTS: readonly { format: Format; label: string }[] = [
  { format: 'csv', label: 'Export CSV' },
  { format: 'json', label: 'Export JSON' },
  { format: 'fhir', label: 'Export FHIR' },
];

function exportTrail(trail: Trail, format: Format): void {
  switch (format) {
    case 'csv':
      downloadFile(exportFileName(trail.subject, 'csv'), exportCsv(trail.records), 'text/csv;charset=utf-8');
      return;
    case 'json':
      downloadFile(exportFileName(trail.subject, 'json'), exportJson(trail.records), 'application/json');
      return;
    case 'fhir':
      downloadFile(
        exportFileName(trail.subject, 'fhir.json'),
        `${JSON.stringify(exportFhir(trail.records), null, 2)}\n`,
        'application/fhir+json',
      );
  }
}

function Who({ row, directory }: { row: AuditRow; directory: Directory | undefined }) {
  const details = [row.actorRole, row.actorMspId].filter(Boolean).join(' · ');
  return (
    <>
      <UserRef userId={row.actorId} directory={directory} />
      {details && <div className="hint">{details}</div>}
    </>
  );
}

function Counterpart({ row, directory }: { row: AuditRow; directory: Directory | undefined }) {
  if (!row.counterpartId) return null;
  return (
    <div className="hint">
      {row.kind === 'transfer' ? 'to ' : 'doctor '}
      <UserRef userId={row.counterpartId} directory={directory} />
    </div>
  );
}

/**
 * The events of a trail as a table, sortable by time, with break-glass rows
 * marked, and its exports (CSV, JSON, FHIR AuditEvent bundle) made in the browser.
 */
export function AuditTable({ trail, directory }: { trail: Trail; directory: Directory | undefined }) {
  const [newestFirst, setNewestFirst] = useState(false);
  const [exportError, setExportError] = useState<unknown>();
  const parsed = useMemo((): { rows: AuditRow[] } | { error: unknown } => {
    try {
      return { rows: toAuditRows(trail.records) };
    } catch (error) {
      return { error };
    }
  }, [trail.records]);

  if ('error' in parsed) return <Refusal error={parsed.error} />;
  const rows = newestFirst ? [...parsed.rows].reverse() : parsed.rows;
  const emergencies = rows.filter(isBreakGlass).length;

  return (
    <div className="audit-results">
      <p role="status" className="audit-summary">
        {rows.length === 0
          ? 'No events: the ledger holds nothing for this query.'
          : `${String(rows.length)} event${rows.length === 1 ? '' : 's'}` +
            (emergencies > 0 ? `, ${String(emergencies)} of them break-glass` : '')}
      </p>
      <div className="actions">
        {EXPORTS.map(({ format, label }) => (
          <button
            key={format}
            type="button"
            className="secondary"
            onClick={() => {
              setExportError(undefined);
              try {
                exportTrail(trail, format);
              } catch (error) {
                setExportError(error);
              }
            }}
          >
            {label}
          </button>
        ))}
      </div>
      <Refusal error={exportError} />
      {rows.length > 0 && (
        <div className="audit-scroll" tabIndex={0} role="group" aria-label="Audit events, scrollable">
          <table className="audit-table">
            <caption>{trail.title}</caption>
            <thead>
              <tr>
                <th scope="col" aria-sort={newestFirst ? 'descending' : 'ascending'}>
                  <button
                    type="button"
                    className="audit-sort"
                    onClick={() => {
                      setNewestFirst((v) => !v);
                    }}
                  >
                    Time <span aria-hidden="true">{newestFirst ? '▼' : '▲'}</span>
                    <span className="audit-sr-only">
                      {newestFirst
                        ? ', newest first: show oldest first'
                        : ', oldest first: show newest first'}
                    </span>
                  </button>
                </th>
                <th scope="col">Event</th>
                <th scope="col">Record</th>
                <th scope="col">Who</th>
                <th scope="col">Purpose</th>
                <th scope="col">Outcome</th>
                <th scope="col">Reason</th>
                <th scope="col">Transaction</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((row) => {
                const emergency = isBreakGlass(row);
                return (
                  <tr
                    key={`${row.kind}:${row.txId}:${row.recordId}`}
                    data-testid="audit-row"
                    data-kind={row.kind}
                    className={emergency ? 'breakglass' : undefined}
                  >
                    <td>
                      <time dateTime={row.at}>{formatWhen(row.at)}</time>
                    </td>
                    <td>
                      {KIND_LABELS[row.kind]}
                      {emergency && <span className="audit-badge">break-glass</span>}
                    </td>
                    <td className="mono audit-record">{row.recordId || '—'}</td>
                    <td>
                      <Who row={row} directory={directory} />
                      <Counterpart row={row} directory={directory} />
                    </td>
                    <td>{row.purpose || '—'}</td>
                    <td>
                      <span className={`audit-outcome audit-outcome-${row.outcome}`}>{row.outcome}</span>
                    </td>
                    <td className="audit-reason">{row.reason}</td>
                    <td className="mono" title={row.txId}>
                      {shortHex(row.txId)}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}
