import { setTimeout as sleep } from 'node:timers/promises';
import {
  Interface,
  keccak256,
  Network,
  Wallet,
  WebSocketProvider,
  type TransactionReceipt,
  type WebSocketLike,
} from 'ethers';
import {
  now,
  type ChainSystem,
  type Committed,
  type Finality,
  type NetworkProcess,
  type SystemId,
} from '../system';
import { accountAddress, accountKey, fundedKeys, ipfsHashOf, seqOfIpfsHash } from './accounts';
import { BlockWatcher } from './block-watcher';
import type { ChainLauncher, ProgressLog } from './chain';
import { compileMedShare, EVM_VERSION, type CompiledContract } from './compile';
import { EthBenchError } from './errors';
import { defaultEthashDir } from './ethash';
import { GanacheLauncher } from './ganache';
import { GethLauncher } from './geth';
import type { EthashDataset } from './geth-node';

/**
 * EIP-1559 fees of every transaction. The cap is far above any base fee a run
 * reaches (London raises it 12.5% a full block, and a saturated chain fills
 * every block), so a backlog is never stranded below the base fee; accounts are
 * funded for it.
 */
const MAX_FEE_PER_GAS = 10n ** 15n;
const PRIORITY_FEE_PER_GAS = 10n ** 9n;
/** Margin on the gas estimated once per function. */
const GAS_MARGIN_PERCENT = 125n;

/** Options of {@link EthereumSystem}. */
export interface EthereumSystemOptions {
  id: SystemId;
  /** Senders funded at genesis; {@link EthereumSystem.registerUsers} accepts at most this many (default 100). */
  maxSenders?: number;
  /** A transaction not in a block after this long is failed (default 600 s). */
  commitTimeoutSeconds?: number;
  finality: Finality;
  /** What the finality means on this chain, for the report. */
  finalityNote: string;
}

interface Account {
  wallet: Wallet;
  /** The next nonce never used. */
  next: number;
  /** Nonces handed back by submissions the node refused, reused first (lowest first). */
  free: number[];
  /**
   * Settles once the node has answered this account's latest submission. Each
   * submission waits for it, so an account's transactions reach the node one
   * at a time, in nonce order: Ganache 7 strands a transaction that arrives
   * while the one before it is mined but not yet saved (its pool files it as a
   * future nonce and never promotes it, ganache#4522), and with it every later
   * one from that account.
   */
  turn: Promise<void>;
}

/** A transaction in a block, with its receipt and when the client learnt of it. */
interface Mined {
  receipt: TransactionReceipt;
  committedAt: number;
}

interface Tracked {
  transfer?: { seq: number; receiver: number };
  /** Absent once the caller gave up (timeout): the transaction is still recorded if it lands. */
  settle?: {
    resolve: (mined: Mined) => void;
    reject: (e: Error) => void;
  };
  timer?: NodeJS.Timeout;
}

interface Landed {
  seq: number;
  block: number;
  index: number;
}

/**
 * The paper's contract on an Ethereum chain, as a {@link ChainSystem}: ethers v6
 * over one WebSocket, nonces kept locally per account, gas estimated once per
 * function, new blocks from the node's head subscription.
 */
export class EthereumSystem implements ChainSystem {
  readonly id: SystemId;
  readonly label: string;
  readonly finality: Finality;
  private provider: WebSocketProvider | undefined;
  private watcher: BlockWatcher | undefined;
  private chainId = 0n;
  private compiled: CompiledContract | undefined;
  private iface = new Interface([]);
  private contract = '';
  private deployBlock = 0;
  private readonly accounts = new Map<string, Account>();
  private readonly tracked = new Map<string, Tracked>();
  /** Submissions waiting for their account's turn, not yet sent. */
  private waiting = 0;
  private senders: Account[] = [];
  private receivers: string[] = [];
  private addUserGas = 0n;
  private sendGas = 0n;
  /** Committed transfers by receiver, for the index `View` takes. */
  private readonly landed = new Map<number, { list: Landed[]; sorted: boolean }>();
  private readonly maxSenders: number;
  private readonly timeoutMs: number;
  /** Rejects once the WebSocket to the node is gone (ethers neither reconnects nor fails its requests then). */
  private lost = new Promise<never>(() => undefined);

  constructor(
    private readonly launcher: ChainLauncher,
    private readonly options: EthereumSystemOptions,
  ) {
    this.id = options.id;
    this.label = `Ethereum, the paper's contract on ${launcher.label}`;
    this.finality = options.finality;
    this.maxSenders = options.maxSenders ?? 100;
    this.timeoutMs = (options.commitTimeoutSeconds ?? 600) * 1000;
  }

  settings(): Record<string, string> {
    const interval = this.watcher?.meanInterval();
    return {
      ...this.launcher.settings(),
      contract: `MedShare.sol (the paper's Algorithms 1-3), ${this.compiled ? `solc ${this.compiled.compilerVersion}` : 'solc'}, optimizer on (200 runs), EVM ${EVM_VERSION}`,
      'benchmark client':
        "ethers 6 over one WebSocket to the node; nonces kept per sender, and a sender's next transaction sent once the node has answered the one before (Ganache answers when it is mined; the wait counts in latency); blocks learnt from the newHeads subscription (a 1 s poll backs it up)",
      'gas limit per transaction': `AddUser ${this.addUserGas}, Send ${this.sendGas} (estimated once, +25%)`,
      fees: `EIP-1559: max fee ${MAX_FEE_PER_GAS / 10n ** 9n} gwei (never binding), tip ${PRIORITY_FEE_PER_GAS / 10n ** 9n} gwei`,
      finality: this.options.finalityNote,
      ...(interval !== undefined && this.finality.kind === 'probabilistic'
        ? {
            'observed block interval': `${interval.toFixed(1)} s mean over ${this.watcher?.blocksSeen} blocks`,
          }
        : {}),
    };
  }

  async start(): Promise<void> {
    this.compiled = await compileMedShare();
    this.iface = new Interface(this.compiled.abi as string[]);
    const chain = await this.launcher.start(fundedKeys(this.maxSenders));
    try {
      this.chainId = BigInt(chain.chainId);
      const network = Network.from(chain.chainId);
      this.provider = new WebSocketProvider(chain.wsUrl, network, { staticNetwork: network });
      const socket = this.provider.websocket as WebSocketLike & { onclose: (() => void) | null };
      this.lost = new Promise<never>((_, reject) => {
        socket.onclose = () => {
          const err = new EthBenchError('NODE_LOST', `the WebSocket to ${chain.wsUrl} closed`);
          reject(err);
          this.fail(err);
        };
      });
      this.lost.catch(() => undefined);
      this.watcher = new BlockWatcher(this.provider, (n) => {
        this.onBlock(n);
      });
      await this.watcher.start();
      const admin = await this.account(accountKey('admin'));
      const gas = await this.estimate({ from: admin.wallet.address, data: this.compiled.bytecode });
      const { receipt } = await this.submit(admin, null, this.compiled.bytecode, gas);
      if (!receipt.contractAddress) throw new EthBenchError('TX_FAILED', 'deployment made no contract');
      this.contract = receipt.contractAddress;
      this.deployBlock = receipt.blockNumber;
    } catch (err) {
      await this.stop();
      throw err;
    }
  }

  processes(): Promise<NetworkProcess[]> {
    return Promise.resolve(this.launcher.processes());
  }

  async registerUsers(senders: number, receivers: number): Promise<void> {
    if (senders > this.maxSenders) {
      throw new EthBenchError('TX_FAILED', `only ${this.maxSenders} senders are funded (maxSenders)`);
    }
    const admin = await this.account(accountKey('admin'));
    this.senders = await Promise.all(
      Array.from({ length: senders }, (_, i) => this.account(accountKey('sender', i))),
    );
    this.receivers = Array.from({ length: receivers }, (_, j) => accountAddress('receiver', j));
    const users = [
      ...this.senders.map((s, i) => [s.wallet.address, `technologist-${i}`, `NID-T-${i}`]),
      ...this.receivers.map((address, j) => [address, `patient-${j}`, `NID-P-${j}`]),
    ];
    const calls = users.map((args) => this.iface.encodeFunctionData('AddUser', args));
    const [first] = calls;
    if (first === undefined) return;
    this.addUserGas = await this.estimate({ from: admin.wallet.address, to: this.contract, data: first });
    await Promise.all(calls.map((data) => this.submit(admin, this.contract, data, this.addUserGas)));
    const sender = this.senders[0];
    const receiver = this.receivers[0];
    if (sender && receiver) {
      // An empty array costs most (its length goes from zero); estimated before any Send.
      const data = this.iface.encodeFunctionData('Send', [receiver, ipfsHashOf(0)]);
      this.sendGas = await this.estimate({ from: sender.wallet.address, to: this.contract, data });
    }
  }

  async send(seq: number): Promise<Committed> {
    const sender = this.senders[seq % this.senders.length];
    const receiver = seq % this.receivers.length;
    const address = this.receivers[receiver];
    if (!sender || address === undefined) throw new EthBenchError('NOT_STARTED', 'registerUsers first');
    const data = this.iface.encodeFunctionData('Send', [address, ipfsHashOf(seq)]);
    const { receipt, committedAt } = await this.submit(sender, this.contract, data, this.sendGas, {
      seq,
      receiver,
    });
    return { ref: receipt.hash, block: receipt.blockNumber, committedAt };
  }

  async access(seq: number): Promise<Committed> {
    const receiver = seq % this.receivers.length;
    const address = this.receivers[receiver];
    if (!this.provider || !this.watcher || address === undefined) {
      throw new EthBenchError('NOT_STARTED', 'registerUsers first');
    }
    const id = this.landedAt(receiver).findIndex((l) => l.seq === seq);
    if (id < 0) throw new EthBenchError('NOT_COMMITTED', `transfer ${seq} is not committed`);
    const block = this.watcher.head;
    const data = this.iface.encodeFunctionData('View', [id]);
    const raw = await this.live(
      this.provider.call({ to: this.contract, from: address, data, blockTag: block }),
    );
    const hash: unknown = this.iface.decodeFunctionResult('View', raw)[0];
    if (hash !== ipfsHashOf(seq)) {
      throw new EthBenchError(
        'TX_FAILED',
        `View(${id}) as receiver ${receiver} gave ${String(hash)}, not transfer ${seq}`,
      );
    }
    return { ref: `View(${id}) by ${address}`, block, committedAt: now() };
  }

  async finalAt(tx: Committed, confirmations: number): Promise<number> {
    if (this.finality.kind === 'deterministic' || confirmations <= 1 || !this.watcher) return tx.committedAt;
    return Math.max(tx.committedAt, await this.watcher.seenTime(tx.block + confirmations - 1));
  }

  async committedTransfers(): Promise<Map<number, number>> {
    const provider = this.provider;
    const watcher = this.watcher;
    if (!provider || !watcher) throw new EthBenchError('NOT_STARTED', 'not started');
    const selector = this.iface.getFunction('Send')?.selector;
    const counts = new Map<number, number>();
    const blocks = Array.from(
      { length: watcher.head - this.deployBlock },
      (_, i) => this.deployBlock + 1 + i,
    );
    await forEachLimit(blocks, 8, async (n) => {
      const block = await retry(() => this.live(provider.getBlock(n, true)));
      const sends = block.prefetchedTransactions.filter(
        (tx) => tx.to?.toLowerCase() === this.contract.toLowerCase() && tx.data.startsWith(selector ?? '-'),
      );
      for (const tx of sends) {
        const hash: unknown = this.iface.parseTransaction({ data: tx.data })?.args[1];
        const seq = typeof hash === 'string' ? seqOfIpfsHash(hash) : undefined;
        const receipt = await retry(() => this.live(provider.getTransactionReceipt(tx.hash)));
        if (seq !== undefined && receipt.status === 1) counts.set(seq, (counts.get(seq) ?? 0) + 1);
      }
    });
    return counts;
  }

  /**
   * Waits while the node still works through what was sent or waits to be
   * sent: until nothing is pending, or nothing has landed for 15 s (a node that
   * will not mine the rest), at most `timeoutMs`.
   */
  async quiesce(timeoutMs: number): Promise<void> {
    const until = now() + timeoutMs;
    const backlog = (): number => this.tracked.size + this.waiting;
    let pending = backlog();
    let progressAt = now();
    while (backlog() > 0 && now() < until && now() - progressAt < 15_000) {
      await sleep(250);
      if (backlog() < pending) progressAt = now();
      pending = backlog();
    }
  }

  async stop(): Promise<void> {
    this.fail(new EthBenchError('NOT_STARTED', 'the chain was stopped'));
    if (this.provider) {
      await this.provider.destroy();
      this.provider = undefined;
    }
    await this.launcher.stop();
  }

  /** Fails every transaction and wait in flight. */
  private fail(err: Error): void {
    for (const t of this.tracked.values()) {
      clearTimeout(t.timer);
      t.settle?.reject(err);
    }
    this.tracked.clear();
    this.watcher?.stop(err);
  }

  /** `request`, or the loss of the node if that comes first. */
  private live<T>(request: Promise<T>): Promise<T> {
    return Promise.race([request, this.lost]);
  }

  /** An account with its next nonce, read from the chain once. */
  private async account(key: string): Promise<Account> {
    const wallet = new Wallet(key);
    const known = this.accounts.get(wallet.address);
    if (known) return known;
    if (!this.provider) throw new EthBenchError('NOT_STARTED', 'not started');
    const account = {
      wallet,
      next: await this.live(this.provider.getTransactionCount(wallet.address, 'pending')),
      free: [],
      turn: Promise.resolve(),
    };
    this.accounts.set(wallet.address, account);
    return account;
  }

  private async estimate(tx: { from: string; to?: string; data: string }): Promise<bigint> {
    if (!this.provider) throw new EthBenchError('NOT_STARTED', 'not started');
    return ((await this.live(this.provider.estimateGas(tx))) * GAS_MARGIN_PERCENT) / 100n;
  }

  /** Signs and submits a transaction, resolving once it is in a block and succeeded. */
  private async submit(
    from: Account,
    to: string | null,
    data: string,
    gasLimit: bigint,
    transfer?: Tracked['transfer'],
  ): Promise<Mined> {
    const previous = from.turn;
    let done = (): void => undefined;
    from.turn = new Promise((resolve) => (done = resolve));
    this.waiting++;
    try {
      await previous;
    } finally {
      this.waiting--;
    }
    let sent: { committed: Promise<Mined> };
    try {
      sent = await this.sendInTurn(from, to, data, gasLimit, transfer);
    } finally {
      done();
    }
    return sent.committed;
  }

  /**
   * Signs and sends with the account's next nonce. Settles once the node has
   * answered the send; `committed` settles once the transaction is in a block.
   */
  private async sendInTurn(
    from: Account,
    to: string | null,
    data: string,
    gasLimit: bigint,
    transfer?: Tracked['transfer'],
  ): Promise<{ committed: Promise<Mined> }> {
    const provider = this.provider;
    if (!provider) throw new EthBenchError('NOT_STARTED', 'not started');
    const nonce = from.free.shift() ?? from.next++;
    const signed = await from.wallet.signTransaction({
      type: 2,
      chainId: this.chainId,
      nonce,
      to,
      data,
      gasLimit,
      maxFeePerGas: MAX_FEE_PER_GAS,
      maxPriorityFeePerGas: PRIORITY_FEE_PER_GAS,
    });
    const hash = keccak256(signed);
    // Tracked before it is sent: Ganache mines it before answering.
    const tracked: Tracked = transfer ? { transfer } : {};
    this.tracked.set(hash, tracked);
    const committed = new Promise<Mined>((resolve, reject) => {
      tracked.settle = { resolve, reject };
      tracked.timer = setTimeout(() => {
        tracked.settle = undefined;
        reject(new EthBenchError('TX_FAILED', `${hash} not in a block after ${this.timeoutMs / 1000} s`));
      }, this.timeoutMs);
    });
    // Whoever awaits it may come later (or never, if the send fails): not an unhandled rejection.
    committed.catch(() => undefined);
    // The answer is awaited no longer than the commit: Ganache never answers a
    // transaction it files as a future nonce, and the account's turn must pass on.
    const refusal = await Promise.race([
      this.live(provider.send('eth_sendRawTransaction', [signed])).then(
        () => undefined,
        (err: unknown) => (err instanceof Error ? err : new Error(String(err))),
      ),
      committed.then(() => undefined),
    ]);
    if (refusal && !/already known/i.test(refusal.message)) {
      clearTimeout(tracked.timer);
      this.tracked.delete(hash);
      // Its nonce was not used (unless the node says it was: geth "nonce too low",
      // Ganache "doesn't have the correct nonce"): the account's next transaction
      // takes it, so no gap stalls the rest.
      if (!/nonce too low|correct nonce/i.test(refusal.message))
        from.free = [...from.free, nonce].sort((a, b) => a - b);
      throw new EthBenchError('TX_FAILED', `the node refused the transaction: ${refusal.message}`, {
        cause: refusal,
      });
    }
    return { committed };
  }

  private onBlock(n: number): void {
    if (this.tracked.size === 0) return;
    const provider = this.provider;
    if (!provider) return;
    void retry(() => this.live(provider.getBlock(n))).then(
      (block) => {
        block.transactions.forEach((hash, index) => {
          const tracked = this.tracked.get(hash);
          if (!tracked) return;
          this.tracked.delete(hash);
          clearTimeout(tracked.timer);
          void this.settle(provider, tracked, hash, n, index);
        });
      },
      () => undefined /* the timeouts of its transactions report it */,
    );
  }

  private async settle(
    provider: WebSocketProvider,
    tracked: Tracked,
    hash: string,
    block: number,
    index: number,
  ): Promise<void> {
    try {
      const receipt = await retry(() => this.live(provider.getTransactionReceipt(hash)));
      if (receipt.status !== 1) {
        tracked.settle?.reject(new EthBenchError('TX_REVERTED', `${hash} reverted in block ${block}`));
        return;
      }
      if (tracked.transfer) {
        const entry = this.landedAt(tracked.transfer.receiver);
        entry.push({ seq: tracked.transfer.seq, block, index });
        this.landed.set(tracked.transfer.receiver, { list: entry, sorted: false });
      }
      tracked.settle?.resolve({ receipt, committedAt: now() });
    } catch (err) {
      tracked.settle?.reject(new EthBenchError('TX_FAILED', `no receipt for ${hash}`, { cause: err }));
    }
  }

  /** The committed transfers to `receiver` in chain order: the order of its images array. */
  private landedAt(receiver: number): Landed[] {
    const entry = this.landed.get(receiver) ?? { list: [], sorted: true };
    if (!entry.sorted) {
      entry.list.sort((a, b) => a.block - b.block || a.index - b.index);
      entry.sorted = true;
    }
    this.landed.set(receiver, entry);
    return entry.list;
  }
}

/** Options of {@link ethereumSystem}. */
export interface EthereumChainOptions {
  chain: 'ganache' | 'pow';
  /** Where logs and chain data go (data removed at stop). */
  runDir: string;
  maxSenders?: number;
  commitTimeoutSeconds?: number;
  log?: ProgressLog;
  /** Proof of work: the geth binary (see `locateGeth`). */
  gethBin?: string;
  /** Proof of work: where the ethash DAG is kept (default: the machine-wide cache). */
  ethashDir?: string;
  /** Proof of work: the real DAG (`full`, default) or geth's 32 KiB test dataset. */
  dataset?: EthashDataset;
  /** Proof of work: target mean block interval (default 13 s). */
  blockTimeSeconds?: number;
  /** Proof of work: hash rate of one miner thread (H/s), to skip the measurement. */
  hashRate?: number;
}

/** `eth-ganache` (the paper's setting) or `eth-pow` (a private proof-of-work chain). */
export function ethereumSystem(options: EthereumChainOptions): EthereumSystem {
  const common = { maxSenders: options.maxSenders, commitTimeoutSeconds: options.commitTimeoutSeconds };
  if (options.chain === 'ganache') {
    return new EthereumSystem(new GanacheLauncher({ runDir: options.runDir }), {
      ...common,
      id: 'eth-ganache',
      finality: { kind: 'deterministic' },
      finalityNote:
        'final when mined, as the paper used it: one Ganache node never forks; with instant mining a block is made only when a transaction arrives, so k confirmations would wait for k-1 later transactions',
    });
  }
  if (!options.gethBin) throw new EthBenchError('BINARY_MISSING', 'the proof-of-work chain needs gethBin');
  const launcher = new GethLauncher({
    gethBin: options.gethBin,
    runDir: options.runDir,
    ethashDir: options.ethashDir ?? defaultEthashDir(),
    blockTimeSeconds: options.blockTimeSeconds,
    dataset: options.dataset,
    hashRate: options.hashRate,
    log: options.log,
  });
  return new EthereumSystem(launcher, {
    ...common,
    id: 'eth-pow',
    finality: { kind: 'probabilistic', confirmations: [6, 12] },
    finalityNote:
      'probabilistic: final with confidence at 6 and 12 confirmations (its own block counted as the first), timed from when the client first saw that block',
  });
}

async function retry<T>(fetch: () => Promise<T | null>, attempts = 10): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      const value = await fetch();
      if (value !== null) return value;
      if (i >= attempts) throw new Error('not found');
    } catch (err) {
      if (i >= attempts || (err instanceof EthBenchError && err.code === 'NODE_LOST')) throw err;
    }
    await sleep(100 * i);
  }
}

async function forEachLimit<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
