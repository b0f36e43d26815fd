import { gateway as gatewayProtos } from '@hyperledger/fabric-protos';
import type { Contract } from '@hyperledger/fabric-gateway';
import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import {
  callLedger,
  checkProposal,
  connectFabric,
  endorsedActionOf,
  requireReadPolicy,
  verifyEndorsements,
  type DeviceKeys,
  type GatewayClient,
  type KeyFile,
  type ReadPolicy,
  type TrustBundle,
} from 'medshare-gateway-app';
import { orgAdmin, type NetworkPlan, type OrgPlan } from 'medshare-network';

/** Who the benchmark reads as, and where. */
export interface ReadBenchSetup {
  plan: NetworkPlan;
  /** The reader's organisation; its first peer is the one the gateway talks to. */
  org: OrgPlan;
  /** The second organisation of a public read's policy. */
  other: OrgPlan;
  /** The reader's key file (an operator's): its key signs the Fabric-level calls. */
  keyFile: KeyFile;
  trust: TrustBundle;
  /** The reader signed in to the gateway, for the end-to-end device calls. */
  client: GatewayClient;
  keys: DeviceKeys;
  /** A committed transaction, for the commit proof. */
  committedTxId: string;
  /** The registry entry read. */
  readUserId: string;
}

/** One kind of call, measured. */
export interface ReadBenchRow {
  name: string;
  what: string;
  calls: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
}

/** A run: each kind of call, measured side by side, and the verified read's cost over evaluate. */
export interface ReadBenchResult {
  calls: number;
  rows: ReadBenchRow[];
  /** Verified public read (two organisations, checked on the device) over today's evaluate. */
  ratio: { p50: number; p99: number };
}

/** Nearest-rank percentile of sorted values. */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] ?? 0;
}

const round = (ms: number) => Math.round(ms * 100) / 100;

function summarise(name: string, what: string, samples: readonly number[]): ReadBenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  const total = sorted.reduce((a, b) => a + b, 0);
  return {
    name,
    what,
    calls: sorted.length,
    p50: round(percentile(sorted, 50)),
    p90: round(percentile(sorted, 90)),
    p99: round(percentile(sorted, 99)),
    mean: round(sorted.length ? total / sorted.length : 0),
  };
}

async function timed(samples: number[], run: () => Promise<unknown>): Promise<void> {
  const started = performance.now();
  await run();
  samples.push(performance.now() - started);
}

/**
 * Endorses a read without submitting it, as the gateway now does for a
 * device, and verifies it as the device does: bound to the proposal, every
 * signature against the pinned roots, the policy over all endorsers. With
 * `apart`, each organisation endorses on its own (a commit proof's block).
 * Returns the time the device's checks took.
 */
async function endorsedRead(
  contract: Contract,
  setup: ReadBenchSetup,
  call: { fn: string; args: string[]; chaincode: string },
  policy: ReadPolicy,
  organisations: readonly string[],
  apart: boolean,
): Promise<number> {
  const who = { mspId: setup.keyFile.mspId, certificatePem: setup.keyFile.certificatePem };
  const groups = apart ? organisations.map((o) => [o]) : [[...organisations]];
  const proposals = groups.map((endorsingOrganizations) =>
    contract.newProposal(call.fn, { arguments: call.args, endorsingOrganizations }),
  );
  const transactions = await Promise.all(proposals.map((p) => p.endorse()));
  const started = performance.now();
  const endorsedBy = new Set<string>();
  for (const [i, transaction] of transactions.entries()) {
    const prepared = gatewayProtos.PreparedTransaction.deserializeBinary(transaction.getBytes());
    const payload = prepared.getEnvelope()?.getPayload_asU8() ?? new Uint8Array();
    const signed = gatewayProtos.ProposedTransaction.deserializeBinary(
      proposals[i]?.getBytes() ?? new Uint8Array(),
    );
    // The proposal the device would have checked before signing it.
    const proposal = checkProposal(
      Buffer.from(signed.getProposal()?.getProposalBytes_asU8() ?? new Uint8Array()).toString('base64'),
      {
        fn: call.fn,
        args: call.args,
        transient: {},
        channel: setup.trust.channel,
        chaincode: call.chaincode,
      },
      who,
    );
    const action = endorsedActionOf(payload, proposal, who);
    const verified = await verifyEndorsements(action, setup.trust, call.chaincode);
    for (const mspId of verified.endorsedBy) endorsedBy.add(mspId);
  }
  requireReadPolicy([...endorsedBy], policy);
  return performance.now() - started;
}

/**
 * Measures, interleaved in one run so that the machine's noise falls on all
 * alike: today's evaluate (one peer, nothing to check), a read endorsed by
 * the reader's own organisation and verified, a public read endorsed by two
 * organisations and verified (what a device now does), the device's checks
 * alone, a commit proof (the block endorsed by each organisation apart), and
 * the whole device call through the gateway's HTTP API.
 */
export async function measureVerifiedReads(setup: ReadBenchSetup, calls: number): Promise<ReadBenchResult> {
  const peer = setup.org.nodes.find((n) => n.type === 'peer') ?? setup.org.nodes[0];
  if (!peer) throw new Error(`${setup.org.key} has no peer`);
  const admin = orgAdmin(setup.org);
  const connection = connectFabric({
    peerAddress: peer.address,
    tlsRootCert: await readFile(setup.org.caCertFile),
    tlsClientCert: await readFile(admin.tls.cert),
    tlsClientKey: await readFile(admin.tls.key),
    mspId: setup.keyFile.mspId,
    certificate: Buffer.from(setup.keyFile.certificatePem),
    privateKey: Buffer.from(setup.keyFile.signingKey),
  });
  const network = connection.gateway.getNetwork(setup.trust.channel);
  const chaincode = network.getContract(setup.trust.chaincode);
  const qscc = network.getContract('qscc');
  const own = setup.org.mspId;
  const both = [own, setup.other.mspId];
  const getUser = { fn: 'registry:GetUser', args: [setup.readUserId], chaincode: setup.trust.chaincode };
  const blockByTx = {
    fn: 'GetBlockByTxID',
    args: [setup.trust.channel, setup.committedTxId],
    chaincode: 'qscc',
  };
  const twoOrganisations: ReadPolicy = { required: [own], minOrganisations: 2 };
  const samples = {
    evaluate: [] as number[],
    ownVerified: [] as number[],
    twoVerified: [] as number[],
    checks: [] as number[],
    commitProof: [] as number[],
    device: [] as number[],
  };
  const kinds: [keyof typeof samples, () => Promise<unknown>][] = [
    ['evaluate', () => chaincode.evaluate(getUser.fn, { arguments: getUser.args })],
    [
      'ownVerified',
      () => endorsedRead(chaincode, setup, getUser, { required: [own], minOrganisations: 1 }, [own], false),
    ],
    [
      'twoVerified',
      async () => {
        samples.checks.push(await endorsedRead(chaincode, setup, getUser, twoOrganisations, both, false));
      },
    ],
    ['commitProof', () => endorsedRead(qscc, setup, blockByTx, twoOrganisations, both, true)],
    ['device', () => callLedger(setup.client, setup.keys, getUser.fn, getUser.args)],
  ];
  try {
    // One untimed round: connections, the device's certificate checks, the chaincode's caches.
    for (const [, run] of kinds) await run();
    samples.checks.length = 0;
    for (let i = 0; i < calls; i++) {
      // A different order each round, so no kind always follows another.
      for (let k = 0; k < kinds.length; k++) {
        const [name, run] = kinds[(i + k) % kinds.length] ?? kinds[0] ?? assertNever();
        await timed(samples[name], run);
      }
    }
  } finally {
    connection.close();
  }
  const rows = [
    summarise(
      'evaluate',
      'today: evaluate on the own peer, the answer taken on the gateway’s word',
      samples.evaluate,
    ),
    summarise(
      'verified, own organisation',
      'endorsed by the own organisation’s peer, checked on the device',
      samples.ownVerified,
    ),
    summarise(
      'verified, two organisations',
      'a public read as devices now make it: two organisations’ peers, checked',
      samples.twoVerified,
    ),
    summarise(
      'device checks alone',
      'binding, signatures and policy of a two-organisation answer',
      samples.checks,
    ),
    summarise(
      'commit proof',
      'the block of a transaction, endorsed by each of two organisations apart, checked',
      samples.commitProof,
    ),
    summarise(
      'device call over HTTP',
      'callLedger through the gateway: prepare, sign, endorse, verify',
      samples.device,
    ),
  ];
  const [evaluate, , two] = rows;
  return {
    calls,
    rows,
    ratio: {
      p50: evaluate && two && evaluate.p50 > 0 ? round(two.p50 / evaluate.p50) : 0,
      p99: evaluate && two && evaluate.p99 > 0 ? round(two.p99 / evaluate.p99) : 0,
    },
  };
}

function assertNever(): never {
  throw new Error('no kinds to measure');
}

/** The result as a markdown table. */
export function markdownOf(result: ReadBenchResult): string {
  const lines = [
    `| call | what | calls | p50 ms | p90 ms | p99 ms | mean ms |`,
    `|---|---|---:|---:|---:|---:|---:|`,
    ...result.rows.map(
      (r) => `| ${r.name} | ${r.what} | ${r.calls} | ${r.p50} | ${r.p90} | ${r.p99} | ${r.mean} |`,
    ),
    '',
    `Verified public read over evaluate: ${result.ratio.p50}× at p50, ${result.ratio.p99}× at p99.`,
  ];
  return `${lines.join('\n')}\n`;
}
