import { ChaincodeError } from './errors';

/**
 * Roles a certificate's `role` attribute can carry. `gateway` is an
 * organisation's gateway service, not a person: it attests users' device
 * checks and records the requests it refuses, and may do nothing else.
 */
export const ROLES = ['admin', 'technologist', 'doctor', 'patient', 'auditor', 'gateway'] as const;
/** A MedShare role. */
export type Role = (typeof ROLES)[number];

/** The roles people are invited to; an organisation's registrar issues only these. */
export const CLINICAL_ROLES = ['technologist', 'doctor', 'patient', 'auditor'] as const;

/** Roles with powers over others, which a certificate holds only with {@link POWERS_ATTRIBUTE}. */
export const PRIVILEGED_ROLES = ['admin', 'gateway'] as const;

/**
 * The certificate attribute that confirms an admin or gateway role. An
 * organisation's admin is a CA registrar whose `hf.Registrar.Attributes` list
 * only `role`, so the CA refuses to let it issue this one: only the CA's
 * bootstrap registrar (the operator command `network identity add`) can.
 * Without it a certificate claiming `role=admin` or `role=gateway` has no role.
 */
export const POWERS_ATTRIBUTE = 'powers';

/** Whether `role` is an admin or gateway role. */
export function isPrivilegedRole(role: Role): role is (typeof PRIVILEGED_ROLES)[number] {
  return (PRIVILEGED_ROLES as readonly string[]).includes(role);
}

/** Everything a caller can ask the chaincode to do. */
export type Action =
  | 'setUserStatus'
  | 'rotateOwnKey'
  | 'readRegistry'
  | 'send'
  | 'grant'
  | 'revoke'
  | 'access'
  | 'breakGlass'
  | 'manageEmergencyKey'
  | 'closeReview'
  | 'requestErasure'
  | 'erase'
  | 'sweepErasures'
  | 'audit'
  | 'readOwnActivity'
  | 'reconcileStorage'
  | 'registerSelf'
  | 'announceGateway'
  | 'recordRefusal'
  | 'pruneNonces';

/**
 * The one role-to-action table. An action absent here cannot be granted, and a
 * role absent from an action's list is refused: deny by default.
 */
export const PERMISSIONS: Readonly<Record<Action, readonly Role[]>> = {
  setUserStatus: ['admin'],
  rotateOwnKey: ['admin', 'technologist', 'doctor', 'patient', 'auditor'],
  readRegistry: ['admin', 'technologist', 'doctor', 'patient', 'auditor'],
  send: ['technologist', 'doctor', 'patient'],
  grant: ['patient'],
  revoke: ['patient'],
  access: ['technologist', 'doctor', 'patient'],
  breakGlass: ['doctor'],
  manageEmergencyKey: ['admin'],
  closeReview: ['auditor'],
  requestErasure: ['technologist', 'doctor', 'patient'],
  erase: ['admin'],
  sweepErasures: ['admin', 'gateway'],
  audit: ['auditor'],
  readOwnActivity: ['technologist', 'doctor', 'patient'],
  reconcileStorage: ['admin', 'auditor'],
  registerSelf: ['admin', 'technologist', 'doctor', 'patient', 'auditor'],
  announceGateway: ['gateway'],
  recordRefusal: ['gateway'],
  pruneNonces: ['gateway'],
};

/** Narrows an attribute value to a role. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Throws ACCESS_DENIED unless `role` may perform `action`. */
export function requirePermission(role: Role | undefined, action: Action): Role {
  if (role === undefined || !PERMISSIONS[action].includes(role)) {
    throw new ChaincodeError('ACCESS_DENIED', `role ${role ?? '(none)'} may not ${action}`);
  }
  return role;
}
