import * as grpc from '@grpc/grpc-js';
import { GatewayError } from '@hyperledger/fabric-gateway';
import { peer } from '@hyperledger/fabric-protos';
import { HttpError } from '../http/errors';

/** Chaincode error codes (the `CODE: message` prefix) and the HTTP status each maps to. */
const CHAINCODE_STATUS: Readonly<Record<string, number>> = {
  INVALID_ARGUMENT: 400,
  ACCESS_DENIED: 403,
  ATTESTATION_INVALID: 403,
  NOT_FOUND: 404,
  ALREADY_EXISTS: 409,
  FAILED_PRECONDITION: 409,
};

// gRPC status names (FAILED_PRECONDITION, NOT_FOUND...) also prefix peer messages, so only the
// chaincode's own answer, `chaincode response 500, CODE: message`, counts as a chaincode code.
const CHAINCODE_MESSAGE = new RegExp(
  `chaincode response \\d+, (${Object.keys(CHAINCODE_STATUS).join('|')}): ([^\\n|]*)`,
);

/** The validation codes that mean "another transaction changed what this one read": worth retrying. */
const CONFLICTS: ReadonlySet<number> = new Set([
  peer.TxValidationCode.MVCC_READ_CONFLICT,
  peer.TxValidationCode.PHANTOM_READ_CONFLICT,
]);

function validationCodeName(code: number): string {
  return Object.entries(peer.TxValidationCode).find(([, value]) => value === code)?.[0] ?? String(code);
}

/** A transaction that reached the orderer but was not committed as valid. */
export function invalidTransaction(txId: string, code: number): HttpError {
  const name = validationCodeName(code);
  return CONFLICTS.has(code)
    ? new HttpError(
        409,
        'TX_CONFLICT',
        `transaction ${txId} conflicted with another (${name}); sign it again`,
        {
          details: { txId, validationCode: name, retryable: true },
        },
      )
    : new HttpError(409, 'TX_INVALID', `transaction ${txId} was not committed: ${name}`, {
        details: { txId, validationCode: name },
      });
}

const SIGNATURE_REFUSED = 'the peer refused the signature or the identity';

/** gRPC statuses of the Gateway service that mean something to the user. */
const GRPC_REFUSALS = new Map<number, [number, string, string]>([
  [grpc.status.DEADLINE_EXCEEDED, [504, 'LEDGER_TIMEOUT', 'the consortium did not answer in time']],
  [grpc.status.UNAVAILABLE, [503, 'LEDGER_UNAVAILABLE', 'the consortium peer cannot be reached']],
  [grpc.status.PERMISSION_DENIED, [403, 'SIGNATURE_REJECTED', SIGNATURE_REFUSED]],
  [grpc.status.UNAUTHENTICATED, [403, 'SIGNATURE_REJECTED', SIGNATURE_REFUSED]],
]);

// Endorsers that answer differently have usually read different ledger heights: one of them has not
// yet committed the block a previous call of the user's ended in. Like an MVCC conflict it is cured
// by proposing again a moment later.
const ENDORSERS_DISAGREE = 'ProposalResponsePayloads do not match';

function messagesOf(error: GatewayError): string {
  return [error.message, ...error.details.map((d) => d.message)].join(' | ');
}

/**
 * Maps Fabric Gateway failures to HTTP refusals: the chaincode's own codes
 * keep their meaning; endorsers that disagree are a retryable 409 TX_CONFLICT;
 * the peer refusing a signature or an identity is 403;
 * deadlines and unreachable peers are 504 and 503.
 */
export function ledgerErrorMapper(error: unknown): HttpError | undefined {
  if (!(error instanceof GatewayError)) return undefined;
  const messages = messagesOf(error);
  const chaincode = CHAINCODE_MESSAGE.exec(messages);
  if (chaincode?.[1] !== undefined) {
    const status = CHAINCODE_STATUS[chaincode[1]] ?? 400;
    return new HttpError(status, chaincode[1], (chaincode[2] ?? '').trim() || chaincode[1], { cause: error });
  }
  if (messages.includes(ENDORSERS_DISAGREE)) {
    return new HttpError(
      409,
      'TX_CONFLICT',
      'the endorsing peers answered differently (one had not yet committed a recent block); sign it again',
      { cause: error, details: { reason: 'ENDORSERS_DISAGREE', retryable: true } },
    );
  }
  const byCode = GRPC_REFUSALS.get(error.code);
  if (byCode) return new HttpError(byCode[0], byCode[1], byCode[2], { cause: error });
  if (/signature|creator|access denied|policy/i.test(messages)) {
    return new HttpError(403, 'SIGNATURE_REJECTED', SIGNATURE_REFUSED, { cause: error });
  }
  return new HttpError(502, 'LEDGER_ERROR', 'the consortium refused the request', { cause: error });
}
