/** Actions whose transaction carries the gateway's attestation of a passed device check and second factor. */
export type AttestedAction = 'send' | 'access' | 'breakGlass';

/** How the gateway lets a user's device call one chaincode function. */
export interface CallSpec {
  kind: 'submit' | 'evaluate';
  /** Argument names, in order (the chaincode validates their content). */
  args: readonly string[];
  /**
   * The function deposits the transient `envelope` (an envelope record in
   * canonical JSON); its CID must be stored and replicated.
   */
  envelope?: true;
  /** The gateway adds an attestation, consuming a passed device check of the session. */
  attest?: AttestedAction;
  /** Callable before the user is registered on the ledger. */
  beforeRegistration?: true;
  /**
   * A Fabric system chaincode rather than MedShare's (the name before the
   * colon): the device's proof that its transaction committed.
   */
  system?: 'qscc';
}

const submit = (...args: string[]): CallSpec => ({ kind: 'submit', args });
const evaluate = (...args: string[]): CallSpec => ({ kind: 'evaluate', args });

/**
 * Every chaincode function a user's device may ask the gateway to prepare.
 * Anything else is refused before it reaches a peer; the chaincode still
 * checks the caller of each.
 */
export const CALLS = {
  'registry:RegisterSelf': { ...submit('encryptionKey', 'binding'), beforeRegistration: true },
  'registry:SuspendUser': submit('userId'),
  'registry:ReactivateUser': submit('userId'),
  'registry:RotateEncryptionKey': submit('encryptionKey', 'binding'),
  'registry:GetUser': evaluate('userId'),
  'registry:WhoAmI': { ...evaluate(), beforeRegistration: true },
  'registry:ListUsers': evaluate('pageSize', 'bookmark'),
  'transfer:DepositEnvelope': { ...submit('recordId', 'recipientId'), envelope: true },
  'transfer:Send': { ...submit('recordId', 'recipientId', 'contentHash', 'envelopeHash'), attest: 'send' },
  'transfer:SendLabelled': {
    ...submit('recordId', 'recipientId', 'contentHash', 'label', 'envelopeHash'),
    attest: 'send',
  },
  'transfer:WithdrawEnvelope': submit('recordId', 'readerId', 'kind'),
  'transfer:GetTransfer': evaluate('recordId'),
  'audit:RecordQuery': submit('subjectKind', 'subjectId', 'from', 'to'),
  'access:DepositGrantEnvelope': { ...submit('recordId', 'granteeId'), envelope: true },
  'access:GrantAccess': submit('recordId', 'granteeId', 'purpose', 'expiresAt', 'envelopeHash'),
  'access:RevokeGrant': submit('recordId', 'granteeId'),
  'access:RecordAccess': { ...submit('recordId', 'purpose'), attest: 'access' },
  'access:ReadEnvelope': evaluate('recordId', 'accessTxId'),
  'access:ListGrants': evaluate('recordId', 'pageSize', 'bookmark'),
  'emergency:BreakGlass': {
    ...submit('recordId', 'reasonCode', 'justificationHash', 'durationMinutes'),
    attest: 'breakGlass',
  },
  'emergency:ReadEmergencyEnvelope': evaluate('recordId', 'doctorId'),
  'emergency:DepositKeyShare': { ...submit('recordId', 'doctorId'), envelope: true },
  'emergency:ContributeKeyShare': submit('recordId', 'doctorId', 'keySetVersion', 'envelopeHash'),
  'emergency:CloseReview': submit('reviewId', 'finding', 'noteHash'),
  'emergency:OpenReviews': evaluate('pageSize', 'bookmark'),
  'emergency:PendingReleases': evaluate('pageSize', 'bookmark'),
  'emergency:SetOpeningLimit': submit('perDay'),
  'emergency:Alerts': evaluate('pageSize', 'bookmark'),
  'emergencykeys:ProposeKeySet': submit('holders', 'threshold'),
  'emergencykeys:ApproveKeySet': submit('version'),
  'emergencykeys:GetKeySet': evaluate('mspId', 'version'),
  'audit:RecordHistory': evaluate('recordId', 'pageSize', 'bookmark'),
  'audit:RecordAccesses': evaluate('recordId', 'pageSize', 'bookmark'),
  'audit:RecordEvents': evaluate('recordId', 'pageSize', 'bookmark'),
  'audit:UserActivity': evaluate('userId', 'kind', 'from', 'to', 'pageSize', 'bookmark'),
  'audit:MyActivity': evaluate('kind', 'from', 'to', 'pageSize', 'bookmark'),
  'erasure:RequestErasure': submit('recordId', 'reasonHash'),
  'erasure:ConfirmErasure': submit('recordId'),
  'erasure:PendingErasures': evaluate('pageSize', 'bookmark'),
  'erasure:GetErasure': evaluate('recordId'),
  'storage:StoredContent': evaluate('counterpartMspId', 'pageSize', 'bookmark'),
  'attestation:GetGateway': evaluate('gatewayId'),
  // The block holding a transaction: the device's proof that its transaction committed as valid.
  'qscc:GetBlockByTxID': { ...evaluate('channel', 'txId'), beforeRegistration: true, system: 'qscc' },
} as const satisfies Record<string, CallSpec>;

/** A chaincode function the gateway prepares for users. */
export type CallName = keyof typeof CALLS;

/** The spec of `fn`, or undefined if users may not call it through the gateway. */
export function callSpec(fn: string): CallSpec | undefined {
  return Object.hasOwn(CALLS, fn) ? (CALLS as Record<string, CallSpec>)[fn] : undefined;
}
