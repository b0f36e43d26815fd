/**
 * The MedShare gateway: the envelope format (browser and Node), the encrypted
 * store on the consortium's IPFS Cluster, its reconciler, and the Fabric
 * connection they run over.
 *
 * @packageDocumentation
 */

export * from './envelope';
export { connectFabric } from './fabric/connection';
export type { FabricConnection, FabricConnectionOptions } from './fabric/connection';
export { connectAs } from './fabric/from-network';
export { storedContent } from './fabric/stored-content';
export type { StoredContentEntry } from './fabric/stored-content';
export { ClusterClient, validateCid } from './storage/cluster-client';
export type {
  AddOptions,
  ClusterClientOptions,
  ClusterPeer,
  PeerPinStatus,
  PinStatus,
} from './storage/cluster-client';
export { EncryptedStore } from './storage/encrypted-store';
export type { EncryptedStoreOptions, ExpectedContent, StoredObject } from './storage/encrypted-store';
export { StorageError } from './storage/errors';
export type { StorageErrorCode, StorageErrorOptions } from './storage/errors';
export { storeOfOrganisation } from './storage/from-network';
export { KuboClient } from './storage/kubo-client';
export type { KuboClientOptions } from './storage/kubo-client';
export { groupByCid, reconcile, renderReport } from './storage/reconcile';
export type { LedgerReference, ReconcileEntry, ReconcileOptions, ReconcileReport } from './storage/reconcile';
export { classifyReplication } from './storage/replication';
export type { FailingPeer, Replication, ReplicationState } from './storage/replication';
export { ApiError, GatewayClient, memoryCookieJar } from './client/api-client';
export type { CookieJar, GatewayClientOptions, Uploader } from './client/api-client';
export type {
  AccountView,
  DirectoryEntry,
  SignedResult,
  SigningAnswer,
  SigningStep,
  UploadedContent,
} from './api/wire';
export { signRegistration, caAuthToken, INVITABLE_ROLES, REGISTRABLE_ROLES } from './client/ca-token';
export type { InvitableRole, RegistrableRole, RegistrationRequest, SignedCaRequest } from './client/ca-token';
export { createCsr } from './client/csr';
export { allPages, closeReview, myRecords, openReviews, recordTrail, userTrail } from './client/audit';
export type { InboxKind, TimeRange } from './client/audit';
export {
  AUDIT_ROW_FIELDS,
  AuditExportError,
  exportCsv,
  exportFhir,
  exportJson,
  toAuditRows,
} from './client/audit-export';
export type { AuditKind, AuditRow, FhirAuditEvent, FhirBundle } from './client/audit-export';
export { breakGlass, contributeKeyShare } from './client/break-glass';
export type { KeyShareContributed } from './client/break-glass';
export { approveKeySet, keySetOf, proposeKeySet, verifiedKeySet } from './client/emergency-keyset';
export type { VerifiedKeySet } from './client/emergency-keyset';
export type { BreakGlassOpening, BreakGlassRequest, EmergencyReason } from './client/break-glass';
export { emergencyOpenings, openingsInTrail } from './client/emergency-openings';
export { confirmErasure, getErasure, pendingErasures, requestErasure } from './client/erasure';
export type { EmergencyOpeningNotice } from './client/emergency-openings';
export { finishEnrolment, startEnrolment } from './client/enrolment';
export type { FinishOptions, Invitation, PendingEnrolment } from './client/enrolment';
export {
  checkDevice,
  getUser,
  grantAccess,
  httpDeviceAgent,
  newRecordId,
  openRecord,
  sendRecord,
  textHash,
} from './client/flows';
export type {
  DeviceAgent,
  DeviceKeys,
  Opened,
  Outgoing,
  ReleasedEnvelope,
  Sent,
  UserView,
} from './client/flows';
export { createKeyBackup, KeyBackupError, openKeyBackup } from './client/key-backup';
export type { BackedUpKeys, KeyBackup } from './client/key-backup';
export { callLedger, parseResult } from './client/ledger-call';
export {
  KeyBindingError,
  KeyMismatchError,
  registerOwnKey,
  requireOwnKeyRegistered,
  verifyKeyBinding,
} from './client/key-binding';
export type { LedgerIdentity, LedgerResult } from './client/ledger-call';
export { generateSigningKeyPair, importSigningKey, toLowSDer, webCryptoSigner } from './client/signer';
export type { DeviceSigner } from './client/signer';
export { checkProposal, endorsedActionOf, SigningRequestError } from './client/signing-request';
export type { CheckedProposal, EndorsedAction, IntendedCall } from './client/signing-request';
export { requireReadPolicy, UnverifiedAnswerError, verifyEndorsements } from './client/endorsement-check';
export type { UnverifiedCode, VerifiedResponse } from './client/endorsement-check';
export { commitPolicyOf, endorsersFor, readPolicyOf } from './client/read-policy';
export type { ReadPolicy } from './client/read-policy';
export { committedBlockOf } from './client/commit-proof';
export { verifiedDirectory, verifyDirectoryEntry } from './client/directory-check';
export { FederatedDirectory, FEDERATION_DIRECTORY_PATH } from './federation/directory';
export { federationHeaders, verifyFederationRequest } from './federation/request-signature';
export type { GatewaySigner } from './federation/request-signature';
export { CertificateMismatchError, verifyEnrolledCertificate } from './client/certificate-check';
export {
  parseTrustBundle,
  rootsOf,
  TrustBundleError,
  trustBundleDigest,
  verifyTrustBundle,
} from './trust/bundle';
export type { TrustBundle, TrustedOrganisation } from './trust/bundle';
export { trustBundleOf } from './trust/from-plan';
export { approveTrustUpdate } from './trust/approve';
export type { AdminIdentity } from './trust/approve';
export { approvalsNeeded, parseTrustUpdate, verifyTrustUpdate } from './trust/update';
export type { TrustApproval, TrustUpdate } from './trust/update';
export { ConfigError, loadConfig } from './config';
export type { Config } from './config';
export { buildGateway } from './gateway';
export type { Gateway } from './gateway';
export { createApp } from './http/app';
export type { AppDeps } from './http/app';
export { HttpError } from './http/errors';
export { bootstrapOperator } from './operator-bootstrap';
export type { OperatorBootstrap } from './operator-bootstrap';
export { enrolDevice, loadDeviceIdentity, startAgentServer } from './device';
export type { AgentServer, DeviceIdentity } from './device';
export { AccountStore, TotpService } from './auth';
export { openDatabase } from './db';
export { nodeUploader } from './cli/node-uploader';
export {
  SYNTHETIC_IDENTITY,
  syntheticPixels,
  syntheticStudy,
  type SyntheticFile,
  type SyntheticStudyOptions,
} from './study/synthetic';
export { encodeGrayscalePng, samplePictures } from './cli/sample-pictures';
export { deviceKeysOf, loadKeyFile, type KeyFile } from './cli/key-file';
export { bootstrapOperatorKeyFile } from './cli/operator-key-file';
export type { DemoGateway, DemoState, DemoUser } from './cli/demo-state';
export { parseDicom, readDicomTags, ViewerError } from './viewer';
export type { DicomImage, DicomTags } from './viewer';
export { STUDY_MEDIA_TYPE, createBundleStream, bundleSize, readBundle, BundleError } from './study';
export type { BundleEntry, BundleFile, BundleManifest } from './study';
