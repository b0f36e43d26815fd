import { useCallback } from 'react';
import type { Route } from '../app/router';
import { Refusal } from '../app/refusal';
import { useSignedIn } from '../app/session';
import { useDirectory } from '../app/directory';
import { useLoaded } from '../app/use-loaded';
import { Accounts } from '../operator/Accounts';
import { EmergencyRelease } from '../operator/EmergencyRelease';
import { ErasureRequests } from '../operator/ErasureRequests';
import { InviteUser } from '../operator/InviteUser';
import { NetworkHealth } from '../operator/NetworkHealth';
import { RegisterDevice } from '../operator/RegisterDevice';
import '../operator/operator.css';

/**
 * The operator's page (organisation admins): invitations and device
 * registrations signed here with the registrar key, account suspension,
 * emergency key releases (`#/operator?record=ID&doctor=USERID` fills one in),
 * erasure confirmations, and the network's health.
 */
export function OperatorPage({ route }: { route: Route }) {
  const { client, keys, account, trustDigest } = useSignedIn();
  const { directory, error: directoryError } = useDirectory(client, keys);
  const loadAccounts = useCallback(() => client.accounts(), [client]);
  const accounts = useLoaded(loadAccounts);

  return (
    <div className="op-page">
      <h1>Operator</h1>
      <p className="hint">
        {account.mspId}: registrations and ledger changes are signed by this device with your key; the gateway
        relays them.
      </p>
      <div className="grid-2">
        <section aria-labelledby="op-invite-heading">
          <h2 id="op-invite-heading">Invite a user</h2>
          <InviteUser
            client={client}
            operator={keys.signer}
            mspId={account.mspId}
            trustDigest={trustDigest}
            onInvited={accounts.reload}
          />
        </section>
        <section aria-labelledby="op-device-heading">
          <h2 id="op-device-heading">Register a device</h2>
          <RegisterDevice client={client} operator={keys.signer} mspId={account.mspId} />
        </section>
      </div>
      <section aria-labelledby="op-accounts-heading">
        <h2 id="op-accounts-heading">Accounts</h2>
        <Accounts client={client} operator={keys} me={account.accountId} accounts={accounts} />
      </section>
      <section aria-labelledby="op-release-heading">
        <h2 id="op-release-heading">Emergency key releases</h2>
        <Refusal error={directoryError} />
        <EmergencyRelease
          client={client}
          operator={keys}
          mspId={account.mspId}
          directory={directory}
          initial={{ recordId: route.params.get('record') ?? '', doctorId: route.params.get('doctor') ?? '' }}
        />
      </section>
      <section aria-labelledby="op-erasure-heading">
        <h2 id="op-erasure-heading">Erasure requests</h2>
        <ErasureRequests client={client} operator={keys} directory={directory} />
      </section>
      <section aria-labelledby="op-health-heading">
        <h2 id="op-health-heading">Network health</h2>
        <NetworkHealth client={client} />
      </section>
    </div>
  );
}
