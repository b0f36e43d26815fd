import type { GatewayClient } from '../../../../src/client/api-client';
import type { PendingEnrolment } from '../../../../src/client/enrolment';
import { createKeyBackup } from '../../../../src/client/key-backup';
import { registerOwnKey } from '../../../../src/client/key-binding';

/** What {@link completeEnrolment} did. */
export interface Completed {
  /** The registration transaction, or undefined if the ledger already had the key. */
  registrationTxId: string | undefined;
}

/**
 * Finishes an enrolment whose authenticator is confirmed but whose later
 * steps failed (finishEnrolment cannot be rerun: the code is spent). It
 * stores the key backup if the gateway has none, then registers the
 * encryption key on the ledger unless it is there already.
 */
export async function completeEnrolment(
  client: GatewayClient,
  pending: PendingEnrolment,
  backupPassphrase: string,
): Promise<Completed> {
  const me = await client.me();
  if (!me.hasKeyBackup) {
    const backup = await createKeyBackup(
      {
        signingKeyPkcs8: pending.signingKeyPkcs8,
        encryptionKeyPkcs8: pending.encryptionKeyPkcs8,
        certificatePem: pending.certificatePem,
        trustBundle: pending.trustBundle,
      },
      backupPassphrase,
      `${me.mspId}/${me.enrollmentId}`,
    );
    await client.request('PUT', '/api/me/key-backup', { keyBackup: backup });
  }
  // Already registered: only with this very key (REGISTERED_KEY_MISMATCH otherwise).
  return { registrationTxId: await registerOwnKey(client, pending.keys) };
}
