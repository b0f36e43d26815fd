import { useCallback } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import type { ComponentHealth } from '../../../src/client/network-health';
import { Refusal } from '../app/refusal';
import { shortHex } from '../audit/ids';
import { formatWhen } from '../audit/time';
import { useLoaded } from '../app/use-loaded';

const KINDS: Readonly<Record<ComponentHealth['kind'], string>> = {
  peer: 'Ledger peer',
  ca: 'Certificate authority',
  storage: 'Storage cluster peer',
  database: 'Gateway database',
};

function Details({ component }: { component: ComponentHealth }) {
  return (
    <>
      {component.kind === 'storage' && (
        <>
          {component.pins ?? 0} pins
          {component.peerId && (
            <>
              {' · peer '}
              <span className="mono" title={component.peerId}>
                {shortHex(component.peerId)}
              </span>
            </>
          )}
          {component.detail && ' · '}
        </>
      )}
      {component.detail}
    </>
  );
}

/** Every component the gateway depends on, OK or DOWN, as the gateway checked them just now. */
export function NetworkHealth({ client }: { client: GatewayClient }) {
  const load = useCallback(() => client.networkHealth(), [client]);
  const health = useLoaded(load);
  const value = health.value;
  const down = value?.components.filter((c) => c.status === 'down').length ?? 0;

  return (
    <>
      <div className="actions op-health-head">
        <button type="button" className="secondary" onClick={health.reload} disabled={health.loading}>
          Refresh
        </button>
        <span role="status" className="hint">
          {health.loading
            ? 'Checking…'
            : value
              ? down === 0
                ? 'All components answer.'
                : `${String(down)} component${down === 1 ? '' : 's'} down.`
              : ''}
        </span>
      </div>
      <Refusal error={health.error} />
      {value && (
        <>
          <p className="hint">
            Checked at{' '}
            <time dateTime={value.checkedAt} data-testid="health-checked-at">
              {formatWhen(value.checkedAt)}
            </time>
            . Uploads need {value.replicationMin} storage peers to hold each ciphertext.
          </p>
          <div className="op-scroll">
            <table className="op-table">
              <caption>Network components</caption>
              <thead>
                <tr>
                  <th scope="col">Component</th>
                  <th scope="col">Kind</th>
                  <th scope="col">Organisation</th>
                  <th scope="col">Status</th>
                  <th scope="col">Details</th>
                </tr>
              </thead>
              <tbody>
                {value.components.map((c) => (
                  <tr
                    key={`${c.kind}:${c.name}:${c.peerId ?? ''}`}
                    data-testid="health-row"
                    data-status={c.status}
                  >
                    <td>{c.name}</td>
                    <td>{KINDS[c.kind]}</td>
                    <td>{c.mspId || '—'}</td>
                    <td>
                      <span className={`op-status op-status-${c.status}`}>
                        {c.status === 'ok' ? 'OK' : 'DOWN'}
                      </span>
                    </td>
                    <td className="op-detail">
                      <Details component={c} />
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
    </>
  );
}
