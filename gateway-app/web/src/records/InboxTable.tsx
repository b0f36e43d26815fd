import { href } from '../app/router';
import { nameOf, type Directory } from '../app/directory';
import { formatWhen, shortId } from './format';
import { KIND_TEXT, STATUS_TEXT, type InboxRow } from './inbox';
import { labelText } from '../../../src/client/label-text';
import { mediaTypeLabel } from './media-types';

/** The records list: one row per transfer, grant or break-glass opening. */
export function InboxTable({
  rows,
  directory,
}: {
  rows: readonly InboxRow[];
  directory: Directory | undefined;
}) {
  return (
    <div className="table-scroll">
      <table className="inbox">
        <caption>
          Records you sent, received, were given access to or opened in an emergency, newest first
        </caption>
        <thead>
          <tr>
            <th scope="col">Record</th>
            <th scope="col">Study</th>
            <th scope="col">From</th>
            <th scope="col">To</th>
            <th scope="col">Received/sent at</th>
            <th scope="col">Kind</th>
            <th scope="col">Media type</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr
              key={`${row.kind}/${row.recordId}`}
              data-testid="record-row"
              data-record-id={row.recordId}
              data-kind={row.kind}
              className={row.kind === 'emergency' ? 'breakglass' : undefined}
            >
              <td>
                <a
                  href={href(
                    `/records/${encodeURIComponent(row.recordId)}${row.kind === 'emergency' ? '?purpose=ETREAT' : ''}`,
                  )}
                  className="mono record-link"
                  aria-label={`Record ${shortId(row.recordId)}`}
                >
                  {shortId(row.recordId)}
                </a>
              </td>
              <td data-testid="record-label">
                {row.label ? labelText(row.label) : <span className="hint">-</span>}
              </td>
              <td>{nameOf(directory, row.fromId)}</td>
              <td>{nameOf(directory, row.toId)}</td>
              <td>
                <time dateTime={row.at}>{formatWhen(row.at)}</time>
              </td>
              <td>{KIND_TEXT[row.kind]}</td>
              <td>
                {row.mediaType ? (
                  mediaTypeLabel(row.mediaType)
                ) : (
                  <span className="hint">Shown once opened</span>
                )}
              </td>
              <td>
                {STATUS_TEXT[row.status]}
                {row.until && <span className="hint"> until {formatWhen(row.until)}</span>}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
