import { toBase64, utf8 } from '../envelope/bytes';
import type { DeviceSigner } from './signer';

/**
 * The roles an operator invites people to: clinical roles only. Admins and
 * gateways are made by the consortium operator with the CA's bootstrap
 * registrar (`network identity add`), never through an invitation.
 */
export const INVITABLE_ROLES = ['technologist', 'doctor', 'patient', 'auditor'] as const;
/** A role an operator invites. */
export type InvitableRole = (typeof INVITABLE_ROLES)[number];

/** Roles a registration can give: the invitable roles and the device role of device agents. */
export const REGISTRABLE_ROLES = [...INVITABLE_ROLES, 'device'] as const;
/** A role an operator registers at the Fabric CA. */
export type RegistrableRole = (typeof REGISTRABLE_ROLES)[number];

/** The Fabric CA path of identity registration; the token signs it. */
export const CA_REGISTER_PATH = '/api/v1/register';

/** A Fabric CA request signed on the operator's device, which the gateway forwards unchanged. */
export interface SignedCaRequest {
  /** The exact JSON body the token signs. */
  body: string;
  /** The `Authorization` header value: the Fabric CA's ECDSA token. */
  authorization: string;
}

/**
 * The Fabric CA's token for a registrar's request: base64 of the certificate,
 * a dot, and base64 of a signature over `METHOD.b64(uri).b64(body).b64(cert)`.
 */
export async function caAuthToken(
  signer: DeviceSigner,
  method: string,
  uri: string,
  body: string,
): Promise<string> {
  const cert = toBase64(utf8(signer.certificatePem));
  const payload = `${method}.${toBase64(utf8(uri))}.${toBase64(utf8(body))}.${cert}`;
  return `${cert}.${toBase64(await signer.sign(utf8(payload)))}`;
}

/** What an operator registers: one identity of their organisation, enrolled once. */
export interface RegistrationRequest {
  caName: string;
  enrollmentId: string;
  role: RegistrableRole;
}

/**
 * A registration signed by the operator (a CA registrar): the identity gets the
 * `role` attribute in its enrolment certificate and may enrol exactly once.
 */
export async function signRegistration(
  signer: DeviceSigner,
  request: RegistrationRequest,
): Promise<SignedCaRequest> {
  const body = JSON.stringify({
    id: request.enrollmentId,
    type: 'client',
    affiliation: '',
    max_enrollments: 1,
    attrs: [{ name: 'role', value: request.role, ecert: true }],
    caname: request.caName,
  });
  return { body, authorization: await caAuthToken(signer, 'POST', CA_REGISTER_PATH, body) };
}
