import { AccessContract } from './access-contract';
import { AttestationContract } from './attestation-contract';
import { AuditContract } from './audit-contract';
import { EmergencyContract } from './emergency-contract';
import { EmergencyKeySetContract } from './emergency-keyset-contract';
import { ErasureContract } from './erasure-contract';
import { ProbeContract } from './probe-contract';
import { RegistryContract } from './registry-contract';
import { StorageContract } from './storage-contract';
import { TransferContract } from './transfer-contract';

export { AccessContract } from './access-contract';
export { PURPOSES } from './access';
export { AttestationContract } from './attestation-contract';
export {
  ATTESTATION_SKEW_MS,
  ATTESTED_ACTIONS,
  MAX_ATTESTATION_BYTES,
  MAX_ATTESTATION_MS,
  REFUSAL_ACTIONS,
} from './attestation';
export type {
  AttestationClaim,
  AttestationSummary,
  AttestedAction,
  GatewayRecord,
  RefusalAction,
  RefusalRecord,
} from './attestation';
export { AuditContract } from './audit-contract';
export type { HistoryEntry } from './audit-contract';
export type { AccessEvent, AccessOutcome, GrantRecord, Purpose } from './access';
export { EmergencyContract } from './emergency-contract';
export { BREAK_GLASS_HOURS, EMERGENCY_REASONS } from './emergency';
export type {
  BreakGlassAlertRecord,
  BreakGlassRecord,
  EmergencyReason,
  OpeningLimitRecord,
  ReviewRecord,
} from './emergency';
export type { RecordEvent, RecordEventKind } from './record-events';
export type { AuditQuery } from './audit-query';
export { ErasureContract };
export { EmergencyKeySetContract };
export type {
  EmergencyKeySetRecord,
  KeySetAlertRecord,
  KeySetApproval,
  KeySetHolder,
} from './emergency-keyset';
export type { ErasingContent } from './erasure-contract';
export { ERASURE_RULE } from './erasure';
export type { ErasureConfirmation, ErasureRecord, ErasureStatus, StorageEvidence } from './erasure';
export { ChaincodeError } from './errors';
export type { ChaincodeErrorCode } from './errors';
export { PERMISSIONS, ROLES } from './roles';
export type { Action, Role } from './roles';
export type { EncryptionKey, UserRecord, UserStatus } from './user';
export { keyBindingText, type KeyBindingStatement } from './key-binding';
export { ProbeContract } from './probe-contract';
export type { ProbeRecord } from './probe-contract';
export { RegistryContract } from './registry-contract';
export { StorageContract } from './storage-contract';
export type { StoredContent } from './storage-contract';
export { TransferContract } from './transfer-contract';
export { collectionFor, signedMessage } from './transfer';
export type {
  EnvelopeInput,
  EnvelopeParties,
  EnvelopeRecord,
  TransferRecord,
  TransferStatus,
} from './transfer';

/** The contracts the chaincode server hosts; read by fabric-chaincode-node. */
export const contracts = [
  RegistryContract,
  TransferContract,
  AccessContract,
  EmergencyContract,
  AuditContract,
  AttestationContract,
  StorageContract,
  ProbeContract,
  ErasureContract,
  EmergencyKeySetContract,
];
