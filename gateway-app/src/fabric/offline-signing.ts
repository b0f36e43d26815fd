import type { Gateway } from '@hyperledger/fabric-gateway';
import { gateway as gatewayProtos } from '@hyperledger/fabric-protos';
import { randomBytes } from 'node:crypto';
import type { SignedResult, SigningStep } from '../api/wire';
import type { SigningStage } from '../client/signing-request';
import type { CallSpec } from './calls';
import { LedgerError } from './errors';
import { invalidTransaction } from './ledger-errors';
import type { Ledger } from './ledger';

/** Who a prepared transaction is for: the signed-in user, by account and enrolment certificate. */
export interface Signatory {
  accountId: string;
  mspId: string;
  certificatePem: string;
}

interface Pending {
  id: string;
  fn: string;
  spec: CallSpec;
  signatory: Signatory;
  stage: SigningStage;
  txId: string;
  expiresAt: number;
  proposal: Uint8Array;
  transaction?: Uint8Array;
  commit?: Uint8Array;
  result?: Uint8Array;
}

/** Options of {@link OfflineSigning}. */
export interface OfflineSigningOptions {
  /** How long a prepared call waits for the device's next signature. */
  ttlMs?: number;
  /** Prepared calls one account may have outstanding. */
  maxPerAccount?: number;
  now?: () => number;
}

const decoder = new TextDecoder();
const toBase64 = (bytes: Uint8Array): string => Buffer.from(bytes).toString('base64');

/**
 * Fabric's offline signing, held for the user's device: the gateway prepares
 * each message (proposal, transaction, commit-status request) in the user's
 * name, the device signs it, and the gateway sends the signed message on.
 * The gateway holds no user key: without the device's signature nothing moves.
 */
export class OfflineSigning {
  readonly #ledger: Ledger;
  readonly #pending = new Map<string, Pending>();
  readonly #ttlMs: number;
  readonly #maxPerAccount: number;
  readonly #now: () => number;

  constructor(ledger: Ledger, options: OfflineSigningOptions = {}) {
    this.#ledger = ledger;
    this.#ttlMs = options.ttlMs ?? 120_000;
    this.#maxPerAccount = options.maxPerAccount ?? 16;
    this.#now = options.now ?? Date.now;
  }

  /**
   * Prepares the proposal of `fn` in the signatory's name; the device signs
   * `message` next. A read goes to the peers of `endorsers` (the device's read
   * policy); a transaction to those the chaincode's policy needs.
   */
  prepare(
    signatory: Signatory,
    fn: string,
    spec: CallSpec,
    args: readonly string[],
    transient: Readonly<Record<string, Uint8Array>>,
    endorsers: readonly string[] = [],
  ): SigningStep {
    this.#sweep();
    const outstanding = [...this.#pending.values()].filter(
      (p) => p.signatory.accountId === signatory.accountId,
    );
    if (outstanding.length >= this.#maxPerAccount) {
      throw new LedgerError('TOO_MANY_PENDING', 'finish or abandon the transactions already prepared', {
        details: { retryAfterSeconds: Math.ceil(this.#ttlMs / 1000) },
      });
    }
    const gateway = this.#ledger.userGateway(signatory.mspId, signatory.certificatePem);
    const contract = spec.system
      ? this.#ledger.systemContract(gateway, spec.system)
      : this.#ledger.userContract(gateway);
    const proposal = contract.newProposal(spec.system ? fn.slice(spec.system.length + 1) : fn, {
      arguments: [...args],
      transientData: transient,
      ...(endorsers.length > 0 ? { endorsingOrganizations: [...endorsers] } : {}),
    });
    const pending: Pending = {
      id: randomBytes(16).toString('base64url'),
      fn,
      spec,
      signatory,
      stage: 'proposal',
      txId: proposal.getTransactionId(),
      expiresAt: this.#now() + this.#ttlMs,
      proposal: proposal.getBytes(),
    };
    this.#pending.set(pending.id, pending);
    const inner = gatewayProtos.ProposedTransaction.deserializeBinary(pending.proposal).getProposal();
    return this.#step(pending, inner?.getProposalBytes_asU8() ?? new Uint8Array());
  }

  /** The call prepared as `id` for this account, or a 404 refusal. */
  #get(accountId: string, id: string): Pending {
    this.#sweep();
    const pending = this.#pending.get(id);
    if (pending?.signatory.accountId !== accountId) {
      throw new LedgerError(
        'SIGNING_SESSION_NOT_FOUND',
        'no such prepared transaction (it may have expired)',
      );
    }
    return pending;
  }

  /**
   * Takes the device's signature of the current stage and moves on: evaluates
   * or endorses after the proposal, submits after the transaction, and waits
   * for the commit status after the commit request.
   */
  async sign(
    accountId: string,
    id: string,
    stage: SigningStage,
    signature: Uint8Array,
  ): Promise<SigningStep | SignedResult> {
    const pending = this.#get(accountId, id);
    if (pending.stage !== stage) {
      throw new LedgerError(
        'WRONG_STAGE',
        `transaction ${pending.txId} awaits the ${pending.stage} signature`,
      );
    }
    // One signature attempt per stage: a failed step is not retried with the same message.
    this.#pending.delete(id);
    const gateway = this.#ledger.userGateway(pending.signatory.mspId, pending.signatory.certificatePem);
    try {
      switch (pending.stage) {
        case 'proposal': {
          if (pending.spec.kind === 'evaluate') return await this.#endorsedRead(pending, gateway, signature);
          const proposal = gateway.newSignedProposal(pending.proposal, signature);
          const transaction = await proposal.endorse();
          pending.transaction = transaction.getBytes();
          pending.result = transaction.getResult();
          pending.stage = 'transaction';
          this.#pending.set(id, pending);
          const prepared = gatewayProtos.PreparedTransaction.deserializeBinary(pending.transaction);
          return this.#step(pending, prepared.getEnvelope()?.getPayload_asU8() ?? new Uint8Array());
        }
        case 'transaction': {
          const transaction = gateway.newSignedTransaction(
            pending.transaction ?? new Uint8Array(),
            signature,
          );
          const commit = await transaction.submit();
          pending.commit = commit.getBytes();
          pending.stage = 'commit';
          this.#pending.set(id, pending);
          const request = gatewayProtos.SignedCommitStatusRequest.deserializeBinary(pending.commit);
          return this.#step(pending, request.getRequest_asU8());
        }
        case 'commit': {
          const commit = gateway.newSignedCommit(pending.commit ?? new Uint8Array(), signature);
          const status = await commit.getStatus();
          if (!status.successful) throw invalidTransaction(pending.txId, status.code);
          return {
            ...this.#done(pending, pending.result ?? new Uint8Array()),
            blockNumber: String(status.blockNumber),
          };
        }
      }
    } finally {
      gateway.close();
    }
  }

  /**
   * A read, endorsed but never submitted: the signed answers are the device's
   * proof. A system chaincode's answer is endorsed by each organisation apart,
   * since peers' copies of a block carry different orderer signatures.
   */
  async #endorsedRead(pending: Pending, gateway: Gateway, signature: Uint8Array): Promise<SignedResult> {
    const proposed = gatewayProtos.ProposedTransaction.deserializeBinary(pending.proposal);
    const organisations = proposed.getEndorsingOrganizationsList();
    const apart = pending.spec.system !== undefined && organisations.length > 1;
    const requests = apart
      ? organisations.map((mspId) => {
          const one = gatewayProtos.ProposedTransaction.deserializeBinary(pending.proposal);
          one.setEndorsingOrganizationsList([mspId]);
          return one.serializeBinary();
        })
      : [pending.proposal];
    const transactions = await Promise.all(
      requests.map((bytes) => gateway.newSignedProposal(bytes, signature).endorse()),
    );
    const proofs = transactions.map((transaction) => {
      const prepared = gatewayProtos.PreparedTransaction.deserializeBinary(transaction.getBytes());
      return toBase64(prepared.getEnvelope()?.getPayload_asU8() ?? new Uint8Array());
    });
    return { ...this.#done(pending, transactions[0]?.getResult() ?? new Uint8Array()), proofs };
  }

  #step(pending: Pending, message: Uint8Array): SigningStep {
    return { id: pending.id, txId: pending.txId, stage: pending.stage, message: toBase64(message) };
  }

  #done(pending: Pending, result: Uint8Array): SignedResult {
    return {
      stage: 'done',
      id: pending.id,
      fn: pending.fn,
      txId: pending.txId,
      result: decoder.decode(result),
    };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, pending] of this.#pending) {
      if (pending.expiresAt <= now) this.#pending.delete(id);
    }
  }
}
