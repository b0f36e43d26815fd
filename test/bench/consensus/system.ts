/**
 * What the consensus benchmark needs of each system under test: Fabric with
 * Raft or SmartBFT ordering running our chaincode, and Ethereum (Ganache, or a
 * proof-of-work chain) running the paper's contract. Every time is from
 * {@link now}: milliseconds on the monotonic clock of the harness process.
 */

/** The systems the benchmark knows. */
export type SystemId = 'fabric-raft' | 'fabric-bft' | 'eth-ganache' | 'eth-pow';

/** The monotonic clock every timestamp of the benchmark is read from (ms). */
export function now(): number {
  return performance.now();
}

/** One OS process of a running network, with the part it plays (for CPU and memory accounting). */
export interface NetworkProcess {
  pid: number;
  /** For example `peer`, `orderer`, `chaincode`, `ca`, `ganache`, `geth-miner`, `geth-node`. */
  role: string;
  /** Unique within the system, for example `peer0.hospital-a` or `geth-miner`. */
  name: string;
}

/** A transaction the system has committed (Fabric: valid in a block on the client's peer; Ethereum: mined, 1 confirmation). */
export interface Committed {
  /** Fabric transaction id, or Ethereum transaction hash. */
  ref: string;
  /** The block it is in. */
  block: number;
  /** When the client learnt it was committed ({@link now}). */
  committedAt: number;
}

/** How a system's transactions become final. */
export type Finality =
  /** Final once committed: Fabric's ordering service never forks. */
  | { kind: 'deterministic' }
  /** Final with confidence once `confirmations` blocks are on top of it, counting its own. */
  | { kind: 'probabilistic'; confirmations: readonly number[] };

/** A network under test. One instance runs one network once: start, use, stop. */
export interface ChainSystem {
  readonly id: SystemId;
  /** For the report, for example "Fabric 3.1.1, Raft (3 orderers)". */
  readonly label: string;
  readonly finality: Finality;
  /**
   * The settings that shape the results, as the report states them: block
   * cutting (batch timeout, max message count), block time, difficulty, gas limit...
   */
  settings(): Record<string, string>;

  /** Starts the network, deploys the contract or chaincode, and waits until it commits a transaction. */
  start(): Promise<void>;
  /** The processes that make up the network now (not the harness itself, not storage). */
  processes(): Promise<NetworkProcess[]>;
  /**
   * Registers `senders` senders (technologists) and `receivers` receivers
   * (patients) the way the system does it (Fabric: RegisterSelf by each user,
   * with their key binding; Ethereum: AddUser by the contract admin), and waits
   * until every registration is committed.
   */
  registerUsers(senders: number, receivers: number): Promise<void>;
  /**
   * Submits transfer number `seq` (0, 1, 2...; sender `seq % senders`, receiver
   * `seq % receivers`) and resolves once it is committed. Rejects with the
   * system's error if it is refused or not committed.
   */
  send(seq: number): Promise<Committed>;
  /**
   * Opens the record of transfer `seq` as its receiver: on Fabric the access is
   * a committed transaction (RecordAccess); on Ethereum it is the paper's `View`,
   * a call that writes nothing (resolves with `block` = the block it read at).
   */
  access(seq: number): Promise<Committed>;
  /**
   * Waits, at most `timeoutMs`, until nothing the harness sent is still queued
   * in the system, so the next rate step does not start behind the last one's
   * backlog. Systems that refuse what they cannot take (Fabric) have none.
   */
  quiesce?(timeoutMs: number): Promise<void>;
  /**
   * When `tx` reached `confirmations` confirmations ({@link now}), waiting for
   * it if need be. Deterministic systems answer `tx.committedAt`.
   */
  finalAt(tx: Committed, confirmations: number): Promise<number>;
  /**
   * How many valid committed transfer transactions the ledger holds for each
   * transfer `seq` sent in this run (for the exactly-once check).
   */
  committedTransfers(): Promise<Map<number, number>>;
  /** Stops every process the system started, and removes its state. Safe to call twice. */
  stop(): Promise<void>;
}
