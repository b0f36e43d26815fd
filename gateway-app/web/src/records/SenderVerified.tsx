import { useCallback } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { getUser, type DeviceKeys } from '../../../src/client/flows';
import { personOf, type Directory } from '../app/directory';
import { groupHex } from './format';
import { useLoaded } from '../app/use-loaded';

/**
 * Says whose signature `openRecord` verified: the sender, and the fingerprint of their signing key as the
 * ledger's registry holds it (the key the signature was checked against).
 */
export function SenderVerified({
  client,
  keys,
  senderId,
  directory,
}: {
  client: GatewayClient;
  keys: DeviceKeys;
  senderId: string;
  directory: Directory | undefined;
}) {
  const load = useCallback(() => getUser(client, keys, senderId), [client, keys, senderId]);
  const { value: sender } = useLoaded(load);
  return (
    <p className="verified" data-testid="signature-verified">
      <strong>Sender’s signature verified</strong>: sent by {personOf(directory, senderId)}
      {sender && (
        <>
          , signing key{' '}
          <code data-testid="sender-fingerprint" title={groupHex(sender.signingKey.fingerprint)}>
            {sender.signingKey.fingerprint}
          </code>
        </>
      )}
      .
    </p>
  );
}
