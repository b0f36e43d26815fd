import { ApiError, type AccountView, type GatewayClient } from '../../../../src/client/api-client';
import { openKeyBackup } from '../../../../src/client/key-backup';
import type { StoredIdentity } from '../../app/keystore';
import { importDeviceIdentity } from '../identity';
import { assertIdentityOfAccount, enrolledAccount } from './key-checks';

/**
 * Opens the account's passphrase-wrapped key backup from the gateway in this
 * browser and imports the keys non-extractable, once they are proven to be
 * the account's. Nothing is stored here: the caller saves the identity.
 */
export async function restoreFromBackup(
  client: GatewayClient,
  account: AccountView,
  passphrase: string,
): Promise<StoredIdentity> {
  const enrolled = enrolledAccount(account);
  const blob = await client.keyBackup();
  if (blob === null) {
    throw new ApiError(404, 'NO_KEY_BACKUP', 'the gateway holds no key backup for this account');
  }
  const keys = await openKeyBackup(blob, passphrase, `${account.mspId}/${account.enrollmentId}`);
  try {
    const identity = await importDeviceIdentity({
      mspId: account.mspId,
      enrollmentId: account.enrollmentId,
      userId: enrolled.userId,
      certificatePem: keys.certificatePem,
      signingPkcs8: keys.signingKeyPkcs8,
      encryptionPkcs8: keys.encryptionKeyPkcs8,
      encryptionPublicKeySpki: enrolled.encryptionPublicKey,
      ...(keys.trustBundle ? { trustBundle: keys.trustBundle } : {}),
    });
    await assertIdentityOfAccount(identity, account);
    // The gateway's copy is the current one (it may have been renewed for the same key).
    return { ...identity, certificatePem: enrolled.certificatePem };
  } finally {
    keys.signingKeyPkcs8.fill(0);
    keys.encryptionKeyPkcs8.fill(0);
  }
}
