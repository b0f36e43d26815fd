import { useEffect, useState } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import type { DeviceKeys } from '../../../src/client/flows';
import { KeyMismatchError, registerOwnKey, requireOwnKeyRegistered } from '../../../src/client/key-binding';

/**
 * An alarm when the ledger holds another encryption key for the signed-in
 * user than the one this browser holds: records sent to them would be
 * wrapped for a key they do not have, and someone else may. Checked once per
 * sign-in, from a read the peers endorsed; other failures (not yet
 * registered, a gateway that does not answer) show nothing here. With
 * `register` (an admin, whose entry its own device makes at its first
 * sign-in), an absent entry is registered first.
 */
export function KeyAlarm({
  client,
  keys,
  register = false,
}: {
  client: GatewayClient;
  keys: DeviceKeys;
  register?: boolean;
}) {
  const [message, setMessage] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    (register ? registerOwnKey(client, keys) : requireOwnKeyRegistered(client, keys)).then(
      () => undefined,
      (error: unknown) => {
        if (live && error instanceof KeyMismatchError) setMessage(error.message);
      },
    );
    return () => {
      live = false;
    };
  }, [client, keys, register]);
  if (message === null) return null;
  return (
    <div className="refusal" role="alert" data-testid="key-alarm">
      <strong>Your encryption key on the ledger is not the one on this device.</strong> {message}
    </div>
  );
}
