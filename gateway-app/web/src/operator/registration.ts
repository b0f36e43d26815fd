import type { GatewayClient } from '../../../src/client/api-client';
import { signRegistration, type InvitableRole } from '../../../src/client/ca-token';
import type { DeviceSigner } from '../../../src/client/signer';
import { caNameOf } from './ca-name';

export { INVITABLE_ROLES, type InvitableRole } from '../../../src/client/ca-token';

/**
 * An enrolment id both the CA and the gateway accept: 1 to 64 letters, digits
 * and `. _ @ -`, starting with a letter or digit.
 */
export const ENROLLMENT_ID_PATTERN = '[A-Za-z0-9][A-Za-z0-9._@\\-]{0,63}';

/**
 * Registers a user at the organisation's CA, signed here with the operator's
 * registrar key (the gateway relays it unchanged), and invites them: the
 * answer holds their one-time enrolment secret. As `medshare operator invite`.
 */
export async function inviteUser(
  client: GatewayClient,
  operator: DeviceSigner,
  enrollmentId: string,
  role: InvitableRole,
): Promise<{ accountId: string; enrollmentId: string; secret: string }> {
  const caName = caNameOf(operator.certificatePem);
  return client.registerUser(await signRegistration(operator, { caName, enrollmentId, role }));
}

/** Registers a device agent at the organisation's CA; as `medshare operator register-device`. */
export async function registerDevice(
  client: GatewayClient,
  operator: DeviceSigner,
  enrollmentId: string,
): Promise<{ enrollmentId: string; secret: string }> {
  const caName = caNameOf(operator.certificatePem);
  return client.registerDevice(await signRegistration(operator, { caName, enrollmentId, role: 'device' }));
}
