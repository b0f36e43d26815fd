import { useCallback, useState } from 'react';
import { ApiError, type AccountView, type GatewayClient } from '../../../src/client/api-client';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import { Refusal } from '../app/refusal';
import { shortHex } from '../audit/ids';
import type { Loaded } from '../app/use-loaded';
import { useAction } from '../audit/use-action';
import { setAccountStatus, type StatusChange } from './account-status';

type Status = 'active' | 'suspended';

function describe(change: StatusChange, status: Status): string {
  const verb = status === 'suspended' ? 'Suspended' : 'Reactivated';
  const ledger =
    'txId' in change.ledger ? `ledger transaction ${change.ledger.txId}` : `ledger: ${change.ledger.skipped}`;
  return `${verb} ${change.account.enrollmentId} on the gateway; ${ledger}.`;
}

/**
 * The organisation's accounts, with suspension (confirmed first; the user's
 * sessions end at once) and reactivation, on the gateway and on the ledger.
 */
export function Accounts({
  client,
  operator,
  me,
  accounts,
}: {
  client: GatewayClient;
  operator: LedgerIdentity;
  /** The signed-in operator's account id: they cannot change their own status. */
  me: string;
  accounts: Loaded<AccountView[]>;
}) {
  const [confirming, setConfirming] = useState<string>();
  const [selfRefusal, setSelfRefusal] = useState<ApiError>();
  const { reload } = accounts;
  const apply = useCallback(
    async (target: AccountView, status: Status) => {
      try {
        return describe(await setAccountStatus(client, operator, target, status), status);
      } finally {
        reload();
      }
    },
    [client, operator, reload],
  );
  const change = useAction(apply);
  const list = accounts.value ?? [];

  const request = (account: AccountView, status: Status) => {
    change.reset();
    setSelfRefusal(undefined);
    if (account.accountId === me) {
      setConfirming(undefined);
      setSelfRefusal(
        new ApiError(409, 'CANNOT_SUSPEND_SELF', 'an operator cannot change the status of their own account'),
      );
      return;
    }
    if (status === 'suspended') setConfirming(account.accountId);
    else void change.run(account, status);
  };

  return (
    <>
      <div className="actions">
        <button type="button" className="secondary" onClick={reload} disabled={accounts.loading}>
          Refresh accounts
        </button>
      </div>
      <Refusal error={accounts.error} />
      <Refusal error={selfRefusal} />
      <Refusal error={change.error} />
      {change.busy && (
        <p role="status" className="hint">
          Changing the account status…
        </p>
      )}
      {change.value && (
        <p className="success" role="status" data-testid="account-status-change">
          {change.value}
        </p>
      )}
      {list.length === 0 && !accounts.loading && accounts.error === undefined && (
        <p className="hint">No accounts yet.</p>
      )}
      {list.length > 0 && (
        <div className="op-scroll">
          <table className="op-table">
            <caption>Accounts of your organisation</caption>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Role</th>
                <th scope="col">Status</th>
                <th scope="col">User ID</th>
                <th scope="col">
                  <span className="op-sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.map((account) => {
                const name = account.enrollmentId;
                const suspended = account.status === 'suspended';
                return (
                  <tr key={account.accountId} data-testid="account-row" data-status={account.status}>
                    <td>
                      {name}
                      {account.accountId === me && <span className="hint"> (you)</span>}
                    </td>
                    <td>{account.role}</td>
                    <td>
                      <span className={`op-status op-status-${account.status}`}>{account.status}</span>
                    </td>
                    <td className="mono" title={account.userId ?? 'not enrolled yet'}>
                      {account.userId ? shortHex(account.userId) : '—'}
                    </td>
                    <td>
                      {confirming === account.accountId ? (
                        <div className="op-confirm" role="group" aria-label={`Confirm suspending ${name}`}>
                          <span>Suspend {name}? Their sessions end at once.</span>
                          <button
                            type="button"
                            className="danger"
                            disabled={change.busy}
                            onClick={() => {
                              setConfirming(undefined);
                              void change.run(account, 'suspended');
                            }}
                          >
                            Confirm suspension of {name}
                          </button>
                          <button
                            type="button"
                            className="secondary"
                            // The button that asked is gone: keep keyboard users here, on the safe choice.
                            autoFocus
                            onClick={() => {
                              setConfirming(undefined);
                            }}
                          >
                            Cancel
                          </button>
                        </div>
                      ) : (
                        <button
                          type="button"
                          className="secondary"
                          disabled={change.busy}
                          onClick={() => {
                            request(account, suspended ? 'active' : 'suspended');
                          }}
                        >
                          {suspended ? 'Reactivate' : 'Suspend'} {name}
                        </button>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
