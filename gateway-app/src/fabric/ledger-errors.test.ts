import * as grpc from '@grpc/grpc-js';
import {
  CommitError,
  CommitStatusError,
  EndorseError,
  GatewayError,
  type ErrorDetail,
} from '@hyperledger/fabric-gateway';
// SubmitError and newGatewayError are not exported as values from the package index.
import { newGatewayError } from '@hyperledger/fabric-gateway/dist/gatewayerror';
import { SubmitError } from '@hyperledger/fabric-gateway/dist/submiterror';
import { gateway, google, peer } from '@hyperledger/fabric-protos';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ledgerErrorMapper } from '../http/error-mappers';
import { HttpError } from '../http/errors';
import { LedgerError } from './errors';
import { invalidTransaction, ledgerErrorOf } from './ledger-errors';

const TX_ID = 'c0ffee'.repeat(10) + 'abcd';
const ENDORSE_FAILED = 'failed to endorse transaction, see attached details for more info';

function serviceError(code: grpc.status, details: string): grpc.ServiceError {
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), {
    code,
    details,
    metadata: new grpc.Metadata(),
  });
}

function detail(message: string, address = 'peer0.hospital-a.example:7051'): ErrorDetail {
  return { address, mspId: 'HospitalAMSP', message };
}

/** The EndorseError a chaincode refusal arrives as: the chaincode's message is in the peer's detail. */
function endorseError(
  code: grpc.status,
  messages: readonly string[],
  message = ENDORSE_FAILED,
): EndorseError {
  return new EndorseError({
    code,
    details: messages.map((m) => detail(m)),
    cause: serviceError(code, message),
    transactionId: TX_ID,
    message: `${code} ${grpc.status[code]}: ${message}`,
  });
}

function varint(value: number): number[] {
  const out: number[] = [];
  let rest = value;
  while (rest > 0x7f) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return out;
}

function lengthDelimited(field: number, bytes: Uint8Array): Buffer {
  return Buffer.concat([Buffer.from([(field << 3) | 2, ...varint(bytes.length)]), bytes]);
}

function mapped(error: unknown): HttpError {
  const result = ledgerErrorMapper(error);
  assert.ok(result instanceof HttpError, 'expected the error to be mapped');
  return result;
}

describe('ledgerErrorMapper: chaincode codes', () => {
  const cases: [string, number][] = [
    ['ACCESS_DENIED', 403],
    ['INVALID_ARGUMENT', 400],
    ['NOT_FOUND', 404],
    ['ALREADY_EXISTS', 409],
    ['FAILED_PRECONDITION', 409],
    ['ATTESTATION_INVALID', 403],
  ];

  for (const [code, status] of cases) {
    it(`maps "chaincode response 500, ${code}: ..." to ${status} ${code}`, () => {
      const error = endorseError(grpc.status.ABORTED, [
        `chaincode response 500, ${code}: record r1 is not yours`,
      ]);
      const result = mapped(error);
      assert.equal(result.status, status);
      assert.equal(result.code, code);
      assert.equal(result.message, 'record r1 is not yours');
      assert.equal(result.cause, error);
    });
  }

  it('finds the chaincode answer in the error message itself (evaluate) and in any detail', () => {
    const evaluated = new GatewayError({
      code: grpc.status.UNKNOWN,
      details: [],
      cause: serviceError(grpc.status.UNKNOWN, 'evaluate call to endorser returned error'),
      message:
        '2 UNKNOWN: evaluate call to endorser returned error: chaincode response 500, NOT_FOUND: no record r9',
    });
    assert.deepEqual(
      [mapped(evaluated).status, mapped(evaluated).code, mapped(evaluated).message],
      [404, 'NOT_FOUND', 'no record r9'],
    );
    const second = endorseError(grpc.status.ABORTED, [
      'peer1 unreachable',
      'chaincode response 500, ALREADY_EXISTS: grant g1 exists',
    ]);
    assert.deepEqual([mapped(second).code, mapped(second).message], ['ALREADY_EXISTS', 'grant g1 exists']);
  });

  it('keeps only the first line of the chaincode message, and falls back to the code when it is empty', () => {
    const multiline = endorseError(grpc.status.ABORTED, [
      'chaincode response 500, INVALID_ARGUMENT: bad recipient  \nstack trace line',
    ]);
    assert.equal(mapped(multiline).message, 'bad recipient');
    const empty = endorseError(grpc.status.ABORTED, ['chaincode response 500, NOT_FOUND: ']);
    assert.equal(mapped(empty).message, 'NOT_FOUND');
    assert.equal(mapped(empty).status, 404);
  });

  it('does not count a code-like word outside the chaincode answer', () => {
    const notChaincode = [
      // gRPC status names prefix peer messages.
      'FAILED_PRECONDITION: ledger is not ready',
      'NOT_FOUND: chaincode medshare not installed',
      // The code must follow "chaincode response N, " directly.
      'chaincode response 500, error: NOT_FOUND in the state',
      'chaincode response 500, UNKNOWN_CODE: ALREADY_EXISTS',
      'the peer said ACCESS_DENIED: somewhere in the middle',
      'chaincode response 500, not_found: lower case',
    ];
    for (const message of notChaincode) {
      const result = mapped(endorseError(grpc.status.ABORTED, [message]));
      assert.equal(result.code, 'LEDGER_ERROR', message);
      assert.equal(result.status, 502, message);
    }
  });
});

describe('ledgerErrorMapper: gRPC statuses and peer refusals', () => {
  it('maps deadlines, unreachable peers and refused identities by status code', () => {
    const cases: [grpc.status, number, string][] = [
      [grpc.status.DEADLINE_EXCEEDED, 504, 'LEDGER_TIMEOUT'],
      [grpc.status.UNAVAILABLE, 503, 'LEDGER_UNAVAILABLE'],
      [grpc.status.PERMISSION_DENIED, 403, 'SIGNATURE_REJECTED'],
      [grpc.status.UNAUTHENTICATED, 403, 'SIGNATURE_REJECTED'],
    ];
    for (const [code, status, stable] of cases) {
      const error = endorseError(code, [], 'no details');
      const result = mapped(error);
      assert.deepEqual([result.status, result.code], [status, stable], grpc.status[code]);
      assert.equal(result.cause, error);
      assert.doesNotMatch(result.message, /no details/, 'the peer message is not passed on');
    }
  });

  it('maps endorsers that answered differently to a retryable 409 TX_CONFLICT', () => {
    const error = endorseError(
      grpc.status.ABORTED,
      ['ProposalResponsePayloads do not match', 'ProposalResponsePayloads do not match'],
      'failed to collect enough transaction endorsements, see attached details for more info',
    );
    const result = mapped(error);
    assert.deepEqual([result.status, result.code], [409, 'TX_CONFLICT']);
    assert.deepEqual(result.details, { reason: 'ENDORSERS_DISAGREE', retryable: true });
    assert.equal(result.cause, error);
  });

  it('prefers the chaincode code over the status code', () => {
    const error = endorseError(grpc.status.PERMISSION_DENIED, [
      'chaincode response 500, NOT_FOUND: no record',
    ]);
    assert.equal(mapped(error).code, 'NOT_FOUND');
  });

  it('maps a refused signature, creator or policy to 403 SIGNATURE_REJECTED whatever the status', () => {
    const messages = [
      'access denied: channel [medshare] creator org unknown, creator is malformed',
      'failed to verify signature',
      'implicit policy evaluation failed - 0 sub-policies were satisfied',
    ];
    for (const message of messages) {
      const result = mapped(endorseError(grpc.status.ABORTED, [message]));
      assert.deepEqual([result.status, result.code], [403, 'SIGNATURE_REJECTED'], message);
    }
  });

  it('maps anything else from the gateway to 502 LEDGER_ERROR without leaking the peer message', () => {
    const result = mapped(endorseError(grpc.status.ABORTED, ['ledger [medshare] is corrupted at block 7']));
    assert.deepEqual([result.status, result.code], [502, 'LEDGER_ERROR']);
    assert.doesNotMatch(result.message, /corrupted/);
  });

  it('recognises every GatewayError class: Endorse, Submit, CommitStatus, and one decoded from gRPC', () => {
    const submit = new SubmitError({
      code: grpc.status.UNAVAILABLE,
      details: [detail('orderer unreachable', 'orderer0:7050')],
      cause: serviceError(grpc.status.UNAVAILABLE, 'failed to send transaction to orderer'),
      transactionId: TX_ID,
      message: '14 UNAVAILABLE: failed to send transaction to orderer',
    });
    assert.equal(mapped(submit).code, 'LEDGER_UNAVAILABLE');
    const commitStatus = new CommitStatusError({
      code: grpc.status.DEADLINE_EXCEEDED,
      details: [],
      cause: serviceError(grpc.status.DEADLINE_EXCEEDED, 'Deadline exceeded'),
      transactionId: TX_ID,
      message: '4 DEADLINE_EXCEEDED: Deadline exceeded',
    });
    assert.equal(mapped(commitStatus).code, 'LEDGER_TIMEOUT');

    // As fabric-gateway builds it from a gRPC error: details from grpc-status-details-bin.
    const endpoint = new gateway.ErrorDetail();
    endpoint.setAddress('peer0.hospital-b.example:7051');
    endpoint.setMspId('HospitalBMSP');
    endpoint.setMessage('chaincode response 500, ATTESTATION_INVALID: the attestation has expired');
    // google.rpc.Status { code, message, details: [Any { type_url, value }] }, encoded by hand: the
    // google-protobuf Any type is not visible to this package.
    const any = Buffer.concat([
      lengthDelimited(1, Buffer.from('type.googleapis.com/gateway.ErrorDetail')),
      lengthDelimited(2, endpoint.serializeBinary()),
    ]);
    const status = Buffer.concat([
      Buffer.from([0x08, ...varint(grpc.status.ABORTED)]),
      lengthDelimited(2, Buffer.from(ENDORSE_FAILED)),
      lengthDelimited(3, any),
    ]);
    assert.equal(google.rpc.Status.deserializeBinary(status).getDetailsList().length, 1);
    const raw = serviceError(grpc.status.ABORTED, ENDORSE_FAILED);
    raw.metadata.set('grpc-status-details-bin', status);
    const decoded = newGatewayError(raw);
    assert.equal(decoded.details.length, 1);
    const result = mapped(decoded);
    assert.deepEqual(
      [result.status, result.code, result.message],
      [403, 'ATTESTATION_INVALID', 'the attestation has expired'],
    );
  });

  it('leaves errors that are not GatewayErrors to other mappers', () => {
    const commit = new CommitError({
      code: peer.TxValidationCode.MVCC_READ_CONFLICT,
      transactionId: TX_ID,
      message: `Transaction ${TX_ID} failed to commit with status code 11 (MVCC_READ_CONFLICT)`,
    });
    const others: unknown[] = [
      commit,
      new Error('chaincode response 500, ACCESS_DENIED: plain errors are not ledger errors'),
      new HttpError(403, 'ACCESS_DENIED', 'already mapped'),
      'chaincode response 500, NOT_FOUND: a string',
      { code: grpc.status.UNAVAILABLE, details: [], message: 'a look-alike object' },
      undefined,
    ];
    for (const error of others) assert.equal(ledgerErrorMapper(error), undefined);
  });
});

describe('invalidTransaction', () => {
  it('maps MVCC and phantom read conflicts to a retryable 409 TX_CONFLICT', () => {
    for (const [code, name] of [
      [peer.TxValidationCode.MVCC_READ_CONFLICT, 'MVCC_READ_CONFLICT'],
      [peer.TxValidationCode.PHANTOM_READ_CONFLICT, 'PHANTOM_READ_CONFLICT'],
    ] as const) {
      const error = mapped(invalidTransaction(TX_ID, code));
      assert.equal(error.status, 409);
      assert.equal(error.code, 'TX_CONFLICT');
      assert.deepEqual(error.details, { txId: TX_ID, validationCode: name, retryable: true });
      assert.ok(error.message.includes(TX_ID));
    }
  });

  it('maps every other validation code to 409 TX_INVALID, not retryable', () => {
    for (const [code, name] of [
      [peer.TxValidationCode.ENDORSEMENT_POLICY_FAILURE, 'ENDORSEMENT_POLICY_FAILURE'],
      [peer.TxValidationCode.BAD_CREATOR_SIGNATURE, 'BAD_CREATOR_SIGNATURE'],
      [peer.TxValidationCode.DUPLICATE_TXID, 'DUPLICATE_TXID'],
    ] as const) {
      const error = mapped(invalidTransaction(TX_ID, code));
      assert.equal(error.status, 409);
      assert.equal(error.code, 'TX_INVALID');
      assert.deepEqual(error.details, { txId: TX_ID, validationCode: name });
      assert.equal(error.message, `transaction ${TX_ID} was not committed: ${name}`);
    }
  });

  it('names an unknown validation code by its number', () => {
    const error = invalidTransaction(TX_ID, 9999);
    assert.equal(error.code, 'TX_INVALID');
    assert.deepEqual(error.details, { txId: TX_ID, validationCode: '9999' });
  });
});

describe('ledgerErrorOf: fabric/ speaks in ledger errors, not HTTP', () => {
  it('turns a Fabric Gateway failure into a LedgerError with its code and cause', () => {
    const gatewayError = endorseError(grpc.status.ABORTED, [
      'chaincode response 500, NOT_FOUND: no record r1',
    ]);
    const error = ledgerErrorOf(gatewayError);
    assert.ok(error instanceof LedgerError);
    assert.equal(error.name, 'LedgerError');
    assert.deepEqual([error.code, error.message, error.cause], ['NOT_FOUND', 'no record r1', gatewayError]);
    assert.ok(!(error instanceof HttpError));
    assert.ok(invalidTransaction(TX_ID, peer.TxValidationCode.MVCC_READ_CONFLICT) instanceof LedgerError);
  });

  it('passes a LedgerError through and leaves other errors alone', () => {
    const error = new LedgerError('WRONG_STAGE', 'awaits the commit signature');
    assert.equal(ledgerErrorOf(error), error);
    assert.equal(ledgerErrorOf(new Error('not a ledger failure')), undefined);
    assert.deepEqual([mapped(error).status, mapped(error).code], [409, 'WRONG_STAGE']);
  });

  it('names an endorsement no peers can satisfy for what it is, not a signature problem', () => {
    // The Fabric Gateway's answer to a transaction inside one organisation that also needs another's endorsement.
    const gatewayError = endorseError(
      grpc.status.FAILED_PRECONDITION,
      [],
      'requires endorsement from organisation(s) that are not in the distribution policy of the private data collection(s): [org-HospitalAMSP]; retry specifying trusted endorsing organizations to protect transient data',
    );
    const error = ledgerErrorOf(gatewayError);
    assert.ok(error);
    assert.equal(error.code, 'ENDORSEMENT_UNSATISFIED');
    assert.match(error.message, /distribution policy/);
    assert.deepEqual([mapped(error).status, mapped(error).code], [503, 'ENDORSEMENT_UNSATISFIED']);
  });
});
