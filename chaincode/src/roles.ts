import { ChaincodeError } from './errors';

/**
 * Roles a certificate's `role` attribute can carry. `gateway` is an
 * organisation's gateway service, not a person: it attests users' device
 * checks and records the requests it refuses, and may do nothing else.
 */
export const ROLES = ['admin', 'technologist', 'doctor', 'patient', 'auditor', 'gateway'] as const;
/** A MedShare role. */
export type Role = (typeof ROLES)[number];

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
  | 'erase'
  | 'audit'
  | 'readOwnActivity'
  | 'reconcileStorage'
  | 'registerSelf'
  | 'announceGateway'
  | 'recordRefusal';

/**
 * The one role-to-action table. An action absent here cannot be granted, and a
 * role absent from an action's list is refused: deny by default.
 */
export const PERMISSIONS: Readonly<Record<Action, readonly Role[]>> = {
  setUserStatus: ['admin'],
  rotateOwnKey: ['technologist', 'doctor', 'patient', 'auditor'],
  readRegistry: ['admin', 'technologist', 'doctor', 'patient', 'auditor'],
  send: ['technologist', 'doctor', 'patient'],
  grant: ['patient'],
  revoke: ['patient'],
  access: ['technologist', 'doctor', 'patient'],
  breakGlass: ['doctor'],
  manageEmergencyKey: ['admin'],
  closeReview: ['auditor'],
  erase: ['admin'],
  audit: ['auditor'],
  readOwnActivity: ['technologist', 'doctor', 'patient'],
  reconcileStorage: ['admin', 'auditor'],
  registerSelf: ['technologist', 'doctor', 'patient', 'auditor'],
  announceGateway: ['gateway'],
  recordRefusal: ['gateway'],
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
