import { useOrganisationName } from '../app/organisations';
import { nameOf, type Directory } from '../app/directory';
import { RowActionButton } from '../app/RowActionButton';
import { formatWhen } from './format';
import type { GrantRow } from '../../../src/api/ledger-rows';
import { purposeLabel } from './purposes';

/** A grant's status in words. */
function statusOf(grant: GrantRow, now: number): 'active' | 'revoked' | 'expired' {
  if (grant.status === 'revoked') return 'revoked';
  return Date.parse(grant.expiresAt) > now ? 'active' : 'expired';
}

/** Who has (or had) access to a record through a grant, with a Revoke button for grants in force. */
export function GrantsTable({
  grants,
  directory,
  now,
  busy,
  onRevoke,
}: {
  grants: readonly GrantRow[];
  directory: Directory | undefined;
  now: number;
  busy: boolean;
  onRevoke: (grant: GrantRow) => void;
}) {
  const organisation = useOrganisationName();
  if (grants.length === 0) return <p className="empty">Nobody else has been given access to this record.</p>;
  return (
    <div className="table-scroll">
      <table className="grants">
        <caption>Grants of this record, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Doctor</th>
            <th scope="col">Purpose</th>
            <th scope="col">Expires</th>
            <th scope="col">Status</th>
            <th scope="col">
              <span className="visually-hidden">Action</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {[...grants]
            .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
            .map((grant) => {
              const status = statusOf(grant, now);
              const name = nameOf(directory, grant.granteeId);
              return (
                <tr
                  key={grant.granteeId}
                  data-testid="grant-row"
                  data-grantee-id={grant.granteeId}
                  data-status={status}
                >
                  <td>
                    {name} · {organisation(grant.granteeMspId)}
                  </td>
                  <td>{purposeLabel(grant.purpose)}</td>
                  <td>
                    <time dateTime={grant.expiresAt}>{formatWhen(grant.expiresAt)}</time>
                  </td>
                  <td>
                    {status === 'revoked'
                      ? `Revoked ${formatWhen(grant.revokedAt)}`
                      : status === 'expired'
                        ? 'Expired'
                        : 'Active'}
                  </td>
                  <td>
                    {status === 'active' && (
                      <RowActionButton
                        action="Revoke"
                        subject={name}
                        className="danger"
                        disabled={busy}
                        onClick={() => {
                          onRevoke(grant);
                        }}
                      />
                    )}
                  </td>
                </tr>
              );
            })}
        </tbody>
      </table>
    </div>
  );
}
