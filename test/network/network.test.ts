import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  adminCliEnv,
  collectionsConfig,
  enrollUser,
  type IdentityFiles,
  type NetworkPlan,
} from 'medshare-network';
import { connectGateway } from '../support/gateway';
import {
  freeBasePort,
  networkCli,
  processesMentioning,
  REPO_DIR,
  startTestNetwork,
  type TestNetwork,
} from '../support/network';

interface ChainInfo {
  height: number;
  currentBlockHash: string;
}

async function chainInfo(net: TestNetwork): Promise<Map<string, ChainInfo>> {
  const infos = new Map<string, ChainInfo>();
  for (const org of net.plan.peerOrgs) {
    for (const peer of org.nodes) {
      const env = adminCliEnv(net.plan, org, peer, net.bin);
      const { stdout } = await promisify(execFile)(
        join(net.bin.fabricBin, 'peer'),
        ['channel', 'getinfo', '-c', net.plan.channel],
        {
          env: { ...process.env, ...env },
        },
      );
      const json = stdout.slice(stdout.indexOf('{'));
      infos.set(peer.name, JSON.parse(json) as ChainInfo);
    }
  }
  return infos;
}

const decoder = new TextDecoder();

const layouts = [
  { consensus: 'raft', peersPerOrg: 1 },
  { consensus: 'bft', peersPerOrg: 1 },
  { consensus: 'raft', peersPerOrg: 2 },
] as const;

for (const { consensus, peersPerOrg } of layouts) {
  describe(`consortium network with ${consensus === 'raft' ? 'Raft' : 'SmartBFT'} ordering, ${peersPerOrg} peer(s) per organisation`, () => {
    let net: TestNetwork;
    let plan: NetworkPlan;
    const users = new Map<string, IdentityFiles>();

    before(async () => {
      net = await startTestNetwork(consensus, { peersPerOrg });
      plan = net.plan;
      for (const org of plan.peerOrgs) {
        users.set(
          org.key,
          await enrollUser(REPO_DIR, plan, net.bin, org.key, `tech.${org.key}`, 'technologist'),
        );
      }
    });

    after(async () => {
      await net.down();
    });

    it('starts every node and prints a summary of nodes, ports, channel and chaincode', () => {
      const expectedOrderers = consensus === 'raft' ? 3 : 4;
      assert.equal(plan.ordererOrg.nodes.length, expectedOrderers);
      assert.ok(plan.peerOrgs.every((o) => o.nodes.length === peersPerOrg));
      assert.match(
        net.up.stdout,
        new RegExp(`${expectedOrderers} orderers, channel medshare, chaincode medshare`),
      );
      for (const org of plan.peerOrgs) {
        assert.match(
          net.up.stdout,
          new RegExp(`peer0\\.${org.key} +127\\.0\\.0\\.1:${org.nodes[0]?.port ?? 0}`),
        );
      }
    });

    it('is a no-op when brought up again, and reports every process ready', async () => {
      const again = await networkCli(['up', ...net.args]);
      assert.equal(again.code, 0);
      assert.match(again.stdout, /is already running; nothing to do/);
      const status = await networkCli(['status', ...net.args]);
      assert.equal(status.code, 0, status.stderr);
      assert.match(status.stdout, /All processes are ready\./);
    });

    it('refuses a second network on ports in use and starts nothing', async () => {
      const otherRunDir = await mkdtemp(join(tmpdir(), 'medshare-clash-'));
      const clash = await networkCli([
        'up',
        '--base-port',
        String(plan.basePort),
        '--consensus',
        consensus,
        '--run-dir',
        otherRunDir,
      ]);
      assert.equal(clash.code, 1);
      assert.match(clash.stderr, /^network: port \d+ \(ca-orderer listen\) is in use; nothing was started/);
      assert.equal(clash.stderr.trim().split('\n').length, 1);
      assert.deepEqual(await processesMentioning(otherRunDir), []);
    });

    it('commits a transaction from a user of each organisation and reads it from another organisation', async () => {
      const orgs = plan.peerOrgs;
      for (const [i, writer] of orgs.entries()) {
        const reader = orgs[(i + 1) % orgs.length];
        // Through each organisation's last peer, so a second peer is exercised too.
        const writerPeer = writer.nodes.at(-1);
        const readerPeer = reader?.nodes.at(-1);
        const writerUser = users.get(writer.key);
        const readerUser = reader ? users.get(reader.key) : undefined;
        assert.ok(reader && writerPeer && readerPeer && writerUser && readerUser);
        const key = `${consensus}-${peersPerOrg}-${writer.key}`;

        const w = await connectGateway(writer, writerPeer, writerUser);
        try {
          const contract = w.gateway.getNetwork(plan.channel).getContract(plan.chaincode.name, 'probe');
          const result = await contract.submitAsync('Put', {
            arguments: [key, `written by ${writer.mspId}`],
          });
          const status = await result.getStatus();
          assert.equal(status.successful, true, `transaction ${status.transactionId} was not committed`);
        } finally {
          w.close();
        }

        const r = await connectGateway(reader, readerPeer, readerUser);
        try {
          const contract = r.gateway.getNetwork(plan.channel).getContract(plan.chaincode.name, 'probe');
          const record = JSON.parse(decoder.decode(await contract.evaluateTransaction('Get', key))) as Record<
            string,
            string
          >;
          assert.equal(record.value, `written by ${writer.mspId}`);
          assert.equal(record.writerMspId, writer.mspId);
        } finally {
          r.close();
        }
      }
    });

    it('commits the chaincode definition with a private data collection per organisation and per pair of them', async () => {
      const org = plan.peerOrgs[0];
      const peer = org?.nodes[0];
      assert.ok(org && peer);
      const { stdout } = await promisify(execFile)(
        join(net.bin.fabricBin, 'peer'),
        [
          'lifecycle',
          'chaincode',
          'querycommitted',
          '-C',
          plan.channel,
          '-n',
          plan.chaincode.name,
          '-O',
          'json',
        ],
        { env: { ...process.env, ...adminCliEnv(plan, org, peer, net.bin) } },
      );
      const definition = JSON.parse(stdout) as {
        sequence: number;
        collections: {
          config: { Payload: { StaticCollectionConfig: { name: string; endorsement_policy?: unknown } } }[];
        };
      };
      const collections = definition.collections.config.map((c) => c.Payload.StaticCollectionConfig);
      assert.deepEqual(
        collections.map((c) => c.name),
        collectionsConfig(plan).map((c) => c.name),
      );
      // Three organisations: one collection each, and one per pair; each with its own endorsement policy.
      assert.equal(collections.length, 6);
      assert.ok(collections.every((c) => c.endorsement_policy !== undefined));
    });

    it('keeps every peer at the same block height and block hash', async () => {
      const deadline = Date.now() + 30_000;
      let infos = await chainInfo(net);
      while (
        new Set([...infos.values()].map((i) => `${i.height}/${i.currentBlockHash}`)).size !== 1 &&
        Date.now() < deadline
      ) {
        await sleep(500);
        infos = await chainInfo(net);
      }
      const values = [...infos.values()];
      assert.equal(values.length, plan.peerOrgs.length * peersPerOrg);
      assert.equal(new Set(values.map((i) => i.height)).size, 1, JSON.stringify(Object.fromEntries(infos)));
      assert.equal(
        new Set(values.map((i) => i.currentBlockHash)).size,
        1,
        JSON.stringify(Object.fromEntries(infos)),
      );
      // Genesis, three approvals, the commit and one transfer per organisation at least.
      assert.ok((values[0]?.height ?? 0) >= 5 + plan.peerOrgs.length);
    });

    it('stops every process it started on down, and only those', async () => {
      assert.ok((await processesMentioning(plan.runDir)).length > 0);
      const down = await networkCli(['down', ...net.args]);
      assert.equal(down.code, 0, down.stderr);
      // A CA per organisation, every orderer and peer, a chaincode server per peer organisation.
      const peers = plan.peerOrgs.reduce((n, o) => n + o.nodes.length, 0);
      // CAs, orderers, peers, and per peer organisation a chaincode server, a kubo and a cluster peer.
      const expected =
        1 + plan.peerOrgs.length + plan.ordererOrg.nodes.length + peers + 3 * plan.peerOrgs.length;
      assert.match(down.stdout, new RegExp(`Stopped ${expected} processes`));
      assert.deepEqual(await processesMentioning(plan.runDir), []);
      const status = await networkCli(['status', ...net.args]);
      assert.equal(status.code, 3);
      assert.match(status.stdout, /stopped/);
    });
  });
}

describe('network start-up failures', () => {
  it("prints the failing node's log tail and stops everything started so far", async () => {
    const runDir = await mkdtemp(join(tmpdir(), 'medshare-fail-'));
    // A file where orderer1 keeps its ledger makes that orderer fail to start.
    const nodeDir = join(runDir, 'orgs', 'orderer', 'nodes', 'orderer1.orderer');
    await mkdir(nodeDir, { recursive: true });
    await writeFile(join(nodeDir, 'ledger'), 'not a directory');
    const args = ['--base-port', String(await freeBasePort('raft')), '--run-dir', runDir];
    try {
      const result = await networkCli(['up', ...args]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, /^network: orderer1\.orderer exited during start-up/);
      assert.match(result.stderr, /\n {2}\| .*ledger/);
      assert.match(result.stdout, /stopping everything started so far/);
      assert.deepEqual(await processesMentioning(runDir), []);
    } finally {
      await networkCli(['down', '--clean', ...args]);
    }
  });

  it('rejects a malformed description with its first error and field, starting nothing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-desc-'));
    const file = join(dir, 'consortium.yaml');
    await writeFile(file, 'name: medshare\nchannel: medshare\nbasePort: 99999\n');
    const result = await networkCli(['up', '--description', file, '--run-dir', join(dir, 'run')]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr, `network: ${file}: basePort: Too big: expected number to be <=60000\n`);
  });
});
