import { createHash, randomBytes, sign, type KeyObject } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import { peer as peerProto } from '@hyperledger/fabric-protos';
import { canonicalJson } from 'medshare-chaincode/dist/json';
import {
  enrollUser,
  locateBinaries,
  orgAdmin,
  planFile,
  runningPid,
  type Binaries,
  type Consensus,
  type NetworkPlan,
  type OrgPlan,
} from 'medshare-network';
import { parse, stringify } from 'yaml';
import { closeGateways, orgGateway, type OrgGateway } from '../../../support/attestation';
import { keyOwner, registerSelf } from '../../../chaincode/self-registration';
import { connectGateway, type GatewayConnection } from '../../../support/gateway';
import { freeBasePort, networkCli, REPO_DIR } from '../../../support/network';
import { now, type ChainSystem, type Committed, type NetworkProcess } from '../system';
import { raftLeader } from './raft-leader';
import { scanLedger } from './ledger-scan';

/** Block cutting, as the description's `batch` block states it. */
export interface BatchSettings {
  timeout: string;
  maxMessageCount: number;
  preferredMaxBytes: string;
  absoluteMaxBytes: string;
}

/** How to run a Fabric network for the benchmark. */
export interface FabricSystemOptions {
  consensus: Consensus;
  batch: BatchSettings;
  /** Pins the base port; by default a free block is found. */
  basePort?: number;
}

const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const STORAGE = /^(ipfs|cluster)\./;

/** A technologist and a patient of two different organisations: one lane of transfers. */
interface Lane {
  sender: { userId: string; key: KeyObject; transfer: Contract; gateway: OrgGateway };
  receiver: { userId: string; access: Contract; gateway: OrgGateway };
}

const roleOf = (name: string): string =>
  name.startsWith('peer')
    ? 'peer'
    : name.startsWith('orderer')
      ? 'orderer'
      : name.startsWith('ccaas.')
        ? 'chaincode'
        : name.startsWith('ca-')
          ? 'ca'
          : 'other';

/**
 * Our chaincode on a Fabric network of three peer organisations and an
 * ordering service of 3 Raft or 4 SmartBFT orderers, all on this machine.
 * Transfers are the chaincode's `transfer:DepositEnvelope` (a sender-signed
 * envelope) then `transfer:Send` with a gateway attestation, exactly as the
 * gateway app submits them, and complete when the second commits; the IPFS
 * storage nodes are stopped (transfers name a fixed CID), so only the ledger is measured.
 */
export class FabricSystem implements ChainSystem {
  readonly id;
  readonly label;
  readonly finality = { kind: 'deterministic' } as const;
  readonly #options: FabricSystemOptions;
  readonly #tag = randomBytes(4).toString('hex');
  readonly #connections: GatewayConnection[] = [];
  #lanes: Lane[] = [];
  #args: string[] = [];
  #plan: NetworkPlan | undefined;
  #bin: Binaries | undefined;
  #runDir = '';

  constructor(options: FabricSystemOptions) {
    this.#options = options;
    this.id = options.consensus === 'raft' ? ('fabric-raft' as const) : ('fabric-bft' as const);
    this.label =
      options.consensus === 'raft'
        ? 'Fabric 3.1.1, Raft (3 orderers)'
        : 'Fabric 3.1.1, SmartBFT (4 orderers)';
  }

  settings(): Record<string, string> {
    const { batch, consensus } = this.#options;
    return {
      ordering: consensus === 'raft' ? 'etcdraft, 3 orderers' : 'SmartBFT, 4 orderers (f = 1)',
      peers: '3 organisations, 1 peer each (LevelDB), chaincode as a service (Node.js)',
      'block cutting':
        consensus === 'raft'
          ? `BatchTimeout ${batch.timeout}, MaxMessageCount ${String(batch.maxMessageCount)}, PreferredMaxBytes ${batch.preferredMaxBytes}`
          : `RequestBatchMaxInterval ${batch.timeout}, RequestBatchMaxCount ${String(batch.maxMessageCount)}, PreferredMaxBytes ${batch.preferredMaxBytes}`,
      endorsement:
        "deposit: sender's and receiver's organisations (collection policy); record: channel majority, later changes both (key-level policy)",
      transfer:
        'transfer:DepositEnvelope (an ECDSA-signed envelope, transient) then transfer:Send with a gateway attestation',
    };
  }

  /** The network's plan once started. */
  get plan(): NetworkPlan {
    if (!this.#plan) throw new Error('the network is not started');
    return this.#plan;
  }

  async start(): Promise<void> {
    this.#runDir = await mkdtemp(join(tmpdir(), `medshare-bench-${this.#options.consensus}-`));
    const description = join(this.#runDir, 'consortium.yaml');
    const base = parse(await readFile(join(REPO_DIR, 'network', 'consortium.yaml'), 'utf8')) as Record<
      string,
      unknown
    >;
    await writeFile(description, stringify({ ...base, batch: this.#options.batch }));
    const basePort = this.#options.basePort ?? (await freeBasePort(this.#options.consensus, description));
    this.#args = [
      '--base-port',
      String(basePort),
      '--consensus',
      this.#options.consensus,
      '--run-dir',
      join(this.#runDir, 'network'),
      '--description',
      description,
    ];
    const up = await networkCli(['up', ...this.#args]);
    if (up.code !== 0) {
      await this.stop();
      throw new Error(
        `network up failed: ${(up.stderr || up.stdout).trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    this.#plan = JSON.parse(await readFile(planFile(join(this.#runDir, 'network')), 'utf8')) as NetworkPlan;
    this.#bin = await locateBinaries(REPO_DIR);
    for (const name of await this.#pidNames()) {
      if (STORAGE.test(name)) await networkCli(['stop-node', name, ...this.#args]);
    }
  }

  async #pidNames(): Promise<string[]> {
    const entries = await readdir(join(this.plan.runDir, 'pids')).catch(() => []);
    return entries.filter((e) => e.endsWith('.pid')).map((e) => e.slice(0, -4));
  }

  #pidFile(name: string): string {
    return join(this.plan.runDir, 'pids', `${name}.pid`);
  }

  async processes(): Promise<NetworkProcess[]> {
    const found: NetworkProcess[] = [];
    for (const name of await this.#pidNames()) {
      if (STORAGE.test(name)) continue;
      const pid = await runningPid(this.#pidFile(name));
      if (pid !== undefined) found.push({ pid, name, role: roleOf(name) });
    }
    return found;
  }

  #connect = async (org: OrgPlan, user: Parameters<typeof connectGateway>[2]) => {
    const node = org.nodes[0];
    if (!node) throw new Error(`${org.key} has no peer`);
    const connection = await connectGateway(org, node, user);
    this.#connections.push(connection);
    return connection.gateway.getNetwork(this.plan.channel);
  };

  async registerUsers(senders: number, receivers: number): Promise<void> {
    if (senders !== receivers || senders % 3 !== 0) {
      throw new Error('the Fabric workload pairs senders and receivers: give the same multiple of 3');
    }
    const plan = this.plan;
    const bin = this.#bin;
    if (!bin) throw new Error('the network is not started');
    const orgs = plan.peerOrgs;
    const enrol = async (org: OrgPlan, name: string, role: 'technologist' | 'patient') => {
      const files = await enrollUser(REPO_DIR, plan, bin, org.key, name, role);
      const owner = await keyOwner(org.mspId, files);
      const network = await this.#connect(org, files);
      await registerSelf(network.getContract(plan.chaincode.name, 'registry'), owner);
      return { userId: owner.userId, key: owner.key, network };
    };
    const lanes: Lane[] = [];
    for (let k = 0; k < senders; k++) {
      const from = orgs[k % orgs.length];
      const to = orgs[(k + 1) % orgs.length];
      if (!from || !to) throw new Error('the network has no peer organisations');
      const [sender, receiver] = await Promise.all([
        enrol(from, `bench-${this.#tag}-tech-${String(k)}`, 'technologist'),
        enrol(to, `bench-${this.#tag}-patient-${String(k)}`, 'patient'),
      ]);
      lanes.push({
        sender: {
          userId: sender.userId,
          key: sender.key,
          transfer: sender.network.getContract(plan.chaincode.name, 'transfer'),
          gateway: await orgGateway(plan, from.key),
        },
        receiver: {
          userId: receiver.userId,
          access: receiver.network.getContract(plan.chaincode.name, 'access'),
          gateway: await orgGateway(plan, to.key),
        },
      });
    }
    this.#lanes = lanes;
  }

  #lane(seq: number): Lane {
    const lane = this.#lanes[seq % this.#lanes.length];
    if (!lane) throw new Error('no users registered');
    return lane;
  }

  #recordId(seq: number): string {
    return `bench-${this.#tag}-${String(seq).padStart(6, '0')}`;
  }

  async #submit(
    contract: Contract,
    fn: string,
    args: string[],
    transientData: Record<string, string>,
  ): Promise<Committed> {
    const submitted = await contract.submitAsync(fn, { arguments: args, transientData });
    const status = await submitted.getStatus();
    if (!status.successful) {
      const code = Object.entries(peerProto.TxValidationCode).find(([, v]) => v === status.code)?.[0];
      throw new Error(`transaction not committed: ${code ?? String(status.code)}`);
    }
    return { ref: status.transactionId, block: Number(status.blockNumber), committedAt: now() };
  }

  async send(seq: number): Promise<Committed> {
    const { sender, receiver } = this.#lane(seq);
    const recordId = this.#recordId(seq);
    const contentHash = createHash('sha256').update(recordId).digest('hex');
    const message = `medshare/transfer/v1\n${recordId}\n${CID}\n${contentHash}\n${receiver.userId}`;
    const envelope = canonicalJson({
      docType: 'envelope',
      recordId,
      readerId: receiver.userId,
      senderId: sender.userId,
      contentHash,
      depositorId: sender.userId,
      cid: CID,
      size: 1048576,
      mediaType: 'application/dicom',
      wrappedKey: randomBytes(120).toString('base64'),
      signature: sign('sha256', Buffer.from(message), {
        key: sender.key,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64'),
      salt: randomBytes(16).toString('base64'),
    });
    // As the app does: the envelope first, to the two organisations' collection, then the public record naming it.
    await this.#submit(sender.transfer, 'DepositEnvelope', [recordId, receiver.userId], { envelope });
    const envelopeHash = createHash('sha256').update(envelope).digest('hex');
    return this.#submit(sender.transfer, 'Send', [recordId, receiver.userId, contentHash, envelopeHash], {
      attestation: sender.gateway.attest(sender.userId, 'send'),
    });
  }

  async access(seq: number): Promise<Committed> {
    const { receiver } = this.#lane(seq);
    return this.#submit(receiver.access, 'RecordAccess', [this.#recordId(seq), 'PATRQT'], {
      attestation: receiver.gateway.attest(receiver.userId, 'access'),
    });
  }

  finalAt(tx: Committed): Promise<number> {
    return Promise.resolve(tx.committedAt);
  }

  async committedTransfers(): Promise<Map<number, number>> {
    const org = this.plan.peerOrgs[0];
    if (!org) throw new Error('the network has no peer organisations');
    const network = await this.#connect(org, orgAdmin(org));
    const pattern = new RegExp(`^bench-${this.#tag}-(\\d+)$`);
    const counts = new Map<number, number>();
    for (const tx of await scanLedger(network)) {
      const seq = pattern.exec(tx.args[0] ?? '')?.[1];
      if (!tx.valid || tx.fn !== 'transfer:Send' || seq === undefined) continue;
      counts.set(Number(seq), (counts.get(Number(seq)) ?? 0) + 1);
    }
    return counts;
  }

  /** The orderers' node names. */
  ordererNames(): string[] {
    return this.plan.ordererOrg.nodes.map((n) => n.name);
  }

  /** The node name of the current Raft leader, from the orderers' logs (once it is not `former`). */
  raftLeader(former?: string): Promise<string> {
    return raftLeader(this.plan, former);
  }

  /** Kills a node outright (SIGKILL), as a crash would. */
  async killNode(name: string): Promise<void> {
    const pid = await runningPid(this.#pidFile(name));
    if (pid === undefined) throw new Error(`${name} is not running`);
    process.kill(pid, 'SIGKILL');
  }

  /** Stops a node (SIGTERM, as an operator would). */
  async stopNode(name: string): Promise<void> {
    const result = await networkCli(['stop-node', name, ...this.#args]);
    if (result.code !== 0) throw new Error(`stop-node ${name}: ${result.stderr.trim()}`);
  }

  /** Starts a stopped node again and waits until it is ready. */
  async startNode(name: string): Promise<void> {
    const result = await networkCli(['start-node', name, ...this.#args]);
    if (result.code !== 0) throw new Error(`start-node ${name}: ${result.stderr.trim()}`);
  }

  async stop(): Promise<void> {
    for (const connection of this.#connections.splice(0)) connection.close();
    await closeGateways();
    if (this.#args.length > 0) await networkCli(['down', '--clean', ...this.#args]);
    this.#args = [];
    if (this.#runDir) await rm(this.#runDir, { recursive: true, force: true });
  }
}
