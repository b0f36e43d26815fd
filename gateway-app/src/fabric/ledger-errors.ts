import * as grpc from '@grpc/grpc-js';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { LedgerError, type LedgerErrorCode } from './errors';

/** The chaincode's own error codes (the `CODE: message` prefix of its answers). */
const CHAINCODE_CODES = [
  'INVALID_ARGUMENT',
  'ACCESS_DENIED',
  'ATTESTATION_INVALID',
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'FAILED_PRECONDITION',
] as const satisfies readonly LedgerErrorCode[];

// gRPC status names (FAILED_PRECONDITION, NOT_FOUND...) also prefix peer messages, so only the
// chaincode's own answer, `chaincode response 500, CODE: message`, counts as a chaincode code.
const CHAINCODE_MESSAGE = new RegExp(`chaincode response \\d+, (${CHAINCODE_CODES.join('|')}): ([^\\n|]*)`);

/** The validation codes that mean "another transaction changed what this one read": worth retrying. */
const CONFLICTS: ReadonlySet<number> = new Set([
  peer.TxValidationCode.MVCC_READ_CONFLICT,
  peer.TxValidationCode.PHANTOM_READ_CONFLICT,
]);

function validationCodeName(code: number): string {
  return Object.entries(peer.TxValidationCode).find(([, value]) => value === code)?.[0] ?? String(code);
}

/** A transaction that reached the orderer but was not committed as valid. */
export function invalidTransaction(txId: string, code: number): LedgerError {
  const name = validationCodeName(code);
  return CONFLICTS.has(code)
    ? new LedgerError('TX_CONFLICT', `transaction ${txId} conflicted with another (${name}); sign it again`, {
        details: { txId, validationCode: name, retryable: true },
      })
    : new LedgerError('TX_INVALID', `transaction ${txId} was not committed: ${name}`, {
        details: { txId, validationCode: name },
      });
}

const SIGNATURE_REFUSED = 'the peer refused the signature or the identity';

/** gRPC statuses of the Gateway service that mean something to the user. */
const GRPC_REFUSALS = new Map<number, [LedgerErrorCode, string]>([
  [grpc.status.DEADLINE_EXCEEDED, ['LEDGER_TIMEOUT', 'the consortium did not answer in time']],
  [grpc.status.UNAVAILABLE, ['LEDGER_UNAVAILABLE', 'the consortium peer cannot be reached']],
  [grpc.status.PERMISSION_DENIED, ['SIGNATURE_REJECTED', SIGNATURE_REFUSED]],
  [grpc.status.UNAUTHENTICATED, ['SIGNATURE_REJECTED', SIGNATURE_REFUSED]],
]);

// Endorsers that answer differently have usually read different ledger heights: one of them has not
// yet committed the block a previous call of the user's ended in. Like an MVCC conflict it is cured
// by proposing again a moment later.
const ENDORSERS_DISAGREE = 'ProposalResponsePayloads do not match';

// The Fabric Gateway's words when discovery finds no peers that satisfy the endorsement policy,
// the collections' policies, or the protection of transient data: a plan, not a signature, failed.
const NO_ENDORSEMENT_PLAN =
  /no combination of peers|cannot satisfy|not in the distribution policy|no endorsers found|failed constructing descriptor|no peers? (?:found|available)/i;

function messagesOf(error: GatewayError): string {
  return [error.message, ...error.details.map((d) => d.message)].join(' | ');
}

/**
 * Fabric Gateway failures as ledger errors: the chaincode's own codes keep
 * their meaning; endorsers that disagree are a retryable TX_CONFLICT; the
 * peer refusing a signature or an identity is SIGNATURE_REJECTED; deadlines
 * and unreachable peers are LEDGER_TIMEOUT and LEDGER_UNAVAILABLE. A
 * {@link LedgerError} is returned as it is; anything else is not a ledger
 * failure (undefined).
 */
export function ledgerErrorOf(error: unknown): LedgerError | undefined {
  if (error instanceof LedgerError) return error;
  if (!(error instanceof GatewayError)) return undefined;
  const messages = messagesOf(error);
  const chaincode = CHAINCODE_MESSAGE.exec(messages);
  if (chaincode?.[1] !== undefined) {
    const code = chaincode[1] as LedgerErrorCode;
    return new LedgerError(code, (chaincode[2] ?? '').trim() || code, { cause: error });
  }
  if (messages.includes(ENDORSERS_DISAGREE)) {
    return new LedgerError(
      'TX_CONFLICT',
      'the endorsing peers answered differently (one had not yet committed a recent block); sign it again',
      { cause: error, details: { reason: 'ENDORSERS_DISAGREE', retryable: true } },
    );
  }
  if (NO_ENDORSEMENT_PLAN.test(messages)) {
    return new LedgerError(
      'ENDORSEMENT_UNSATISFIED',
      `no reachable peers can endorse this transaction as its policies require (${error.details[0]?.message ?? error.message})`,
      { cause: error },
    );
  }
  const byCode = GRPC_REFUSALS.get(error.code);
  if (byCode) return new LedgerError(byCode[0], byCode[1], { cause: error });
  if (/signature|creator|access denied|policy/i.test(messages)) {
    return new LedgerError('SIGNATURE_REJECTED', SIGNATURE_REFUSED, { cause: error });
  }
  return new LedgerError('LEDGER_ERROR', 'the consortium refused the request', { cause: error });
}
