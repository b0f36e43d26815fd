import { useCallback } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { getUser, type DeviceKeys } from '../../../src/client/flows';
import { Refusal } from '../app/refusal';
import { groupHex } from '../records/format';
import { useLoaded } from '../app/use-loaded';

/**
 * The recipient's registry entry from the ledger: their status and the fingerprint of the key the record
 * will be encrypted for, for the sender to compare with the recipient by phone or in person.
 */
export function RecipientKey({
  client,
  keys,
  userId,
}: {
  client: GatewayClient;
  keys: DeviceKeys;
  userId: string;
}) {
  const load = useCallback(() => getUser(client, keys, userId), [client, keys, userId]);
  const { value: user, error, loading } = useLoaded(load);
  if (error !== undefined) return <Refusal error={error} />;
  if (loading || !user) {
    return (
      <p className="hint" role="status">
        Reading the recipient’s key from the ledger…
      </p>
    );
  }
  return (
    <dl className="recipient-key" aria-live="polite">
      <dt>Status on the ledger</dt>
      <dd data-testid="recipient-status" className={user.status === 'active' ? '' : 'bad'}>
        {user.status === 'active' ? 'Active' : `Not active (${user.status}): they cannot receive records`}
      </dd>
      <dt>Encryption key fingerprint (SHA-256)</dt>
      <dd>
        <code data-testid="recipient-fingerprint" title={groupHex(user.encryptionKey.fingerprint)}>
          {user.encryptionKey.fingerprint}
        </code>
        <span className="hint">Compare it with the recipient by phone or in person before sending.</span>
      </dd>
    </dl>
  );
}
