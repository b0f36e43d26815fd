/**
 * Device health checks, one of the gateway's zero-trust layers. A device agent on the user's machine
 * holds a P-256 key certified by the organisation's Fabric CA (role=device), collects the machine's real
 * posture and signs it for a nonce of the gateway; the gateway verifies the report against the CA, its
 * device registry, the nonce, freshness and its policy before every send and fetch of medical content.
 *
 * @packageDocumentation
 */

export { DEFAULT_AGENT_PORT, startAgentServer } from './agent-server';
export type { AgentLogger, AgentServer, AgentServerOptions } from './agent-server';
export { DEVICE_ROLE, FABRIC_ATTRIBUTES_OID, deviceIdOf, fabricAttributesOf } from './certificate';
export { DeviceRegistry } from './device-registry';
export type { AddDeviceInput, DeviceRecord, DeviceStatus } from './device-registry';
export { DEVICE_ENROLMENT_PATH, enrolDevice } from './enrol';
export type { EnrolDeviceOptions } from './enrol';
export { DeviceCheckError, DeviceError } from './errors';
export type { DeviceCheckCode, DeviceCheckErrorOptions, DeviceErrorCode, DeviceErrorOptions } from './errors';
export { postureFactsSchema } from './facts';
export type { Fact, OsInfo, PackageUpdate, PostureFacts } from './facts';
export { IDENTITY_FILES, defaultKeyDir, loadDeviceIdentity } from './identity';
export type { DeviceIdentity } from './identity';
export { NONCE_PATTERN, NonceBook } from './nonces';
export type { IssuedNonce, NonceBookOptions } from './nonces';
export { DEFAULT_DEVICE_POLICY, devicePolicySchema, evaluatePolicy, parseDevicePolicy } from './policy';
export type {
  DevicePolicy,
  DevicePolicyInput,
  FactRequirement,
  PolicyViolation,
  PolicyViolationCode,
} from './policy';
export { collectPosture } from './posture';
export type { CollectPostureOptions, ExecResult, PostureReaders } from './posture';
export { MAX_REPORT_BYTES, parseReport, postureHash, signReport } from './report';
export type { DeviceReport, ParsedReport, ReportPayload, SignReportInput } from './report';
export { assertDeviceCheck, verifyDeviceReport } from './verify';
export type {
  DeviceCheckDeps,
  DeviceCheckFailure,
  DeviceCheckInput,
  DeviceCheckResult,
  DeviceCheckSuccess,
} from './verify';
