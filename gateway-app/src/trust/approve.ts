import { sign, type KeyObject } from 'node:crypto';
import { approvalMessage, type TrustUpdate } from './update';
import { trustBundleDigest } from './bundle';

/** An organisation admin's identity: their certificate (OU `admin`) and private key. */
export interface AdminIdentity {
  mspId: string;
  certificatePem: string;
  privateKey: KeyObject;
}

/**
 * Adds `admin`'s approval to a trust update (replacing an earlier one of the
 * same organisation): an ECDSA signature over the change from the previous
 * bundle's digest to the new one's. Run on the admin's own host, with the
 * admin's key; the update file then travels to the next admin and to devices.
 */
export function approveTrustUpdate(update: TrustUpdate, admin: AdminIdentity): TrustUpdate {
  const message = approvalMessage(update.previous, trustBundleDigest(update.bundle));
  const signature = sign('sha256', message, admin.privateKey).toString('base64');
  return {
    ...update,
    approvals: [
      ...update.approvals.filter((a) => a.mspId !== admin.mspId),
      { mspId: admin.mspId, certificatePem: admin.certificatePem, signature },
    ],
  };
}
