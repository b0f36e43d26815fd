import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  ContractFactory,
  Network,
  Wallet,
  WebSocketProvider,
  type BaseContract,
  type BaseContractMethod,
} from 'ethers';
import { accountKey, fundedKeys, ipfsHashOf, seqOfIpfsHash } from './accounts';
import { compileMedShare } from './compile';
import { ethereumSystem } from './ethereum-system';
import { GanacheLauncher } from './ganache';

function method(contract: BaseContract, name: string): BaseContractMethod {
  return contract.getFunction(name);
}

/** Whether `err` is the revert of the contract's custom error `name` (ethers decodes it with the ABI). */
function reverted(name: string): (err: unknown) => boolean {
  return (err) => (err as { revert?: { name?: string } }).revert?.name === name;
}

describe('ipfsHashOf', () => {
  it('is a CIDv0-like string that gives back its seq', () => {
    for (const seq of [0, 1, 57, 123_456_789]) {
      const hash = ipfsHashOf(seq);
      assert.match(hash, /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/);
      assert.equal(seqOfIpfsHash(hash), seq);
    }
    assert.equal(seqOfIpfsHash('QmYwAPJzv5CZsnA625s3Xf2nemtYgPpHdWEz79ojWnPbdG'), undefined);
  });
});

describe('MedShare contract on Ganache', () => {
  let dir: string;
  let launcher: GanacheLauncher;
  let provider: WebSocketProvider;
  let contract: BaseContract;
  const admin = new Wallet(accountKey('admin'));
  const technologist = new Wallet(accountKey('sender', 0));
  const stranger = new Wallet(accountKey('sender', 1));
  const patient = new Wallet(accountKey('receiver', 0));

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medshare-ganache-'));
    launcher = new GanacheLauncher({ runDir: dir });
    const chain = await launcher.start(fundedKeys(2));
    const network = Network.from(chain.chainId);
    // No response cache: the wallets read their nonce afresh for each transaction.
    provider = new WebSocketProvider(chain.wsUrl, network, { staticNetwork: network, cacheTimeout: -1 });
    const { abi, bytecode } = await compileMedShare();
    const factory = new ContractFactory(abi as string[], bytecode, admin.connect(provider));
    contract = await (await factory.deploy()).waitForDeployment();
  });

  after(async () => {
    await provider.destroy();
    await launcher.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const as = (wallet: Wallet): BaseContract => contract.connect(wallet.connect(provider));

  it('lets only the admin add users', async () => {
    const addUser = method(as(technologist), 'AddUser');
    await assert.rejects(
      addUser.staticCall(technologist.address, 'technologist', 'NID-1'),
      reverted('NotAdmin'),
    );
    const refused = await addUser.send(technologist.address, 'technologist', 'NID-1', { gasLimit: 200_000 });
    await assert.rejects(refused.wait(), { code: 'CALL_EXCEPTION' });
    await (await method(as(admin), 'AddUser').send(technologist.address, 'technologist', 'NID-1')).wait();
    await (await method(as(admin), 'AddUser').send(patient.address, 'patient', 'NID-2')).wait();
    const user = (await method(contract, 'userRegister').staticCall(patient.address)) as unknown[];
    assert.deepEqual([...user], ['patient', 'NID-2', true]);
  });

  it('refuses Send from an unregistered sender', async () => {
    const send = method(as(stranger), 'Send');
    await assert.rejects(send.staticCall(patient.address, ipfsHashOf(1)), reverted('NotRegistered'));
    const refused = await send.send(patient.address, ipfsHashOf(1), { gasLimit: 300_000 });
    await assert.rejects(refused.wait(), { code: 'CALL_EXCEPTION' });
  });

  it('appends to the receiver’s images and View returns them in range only', async () => {
    await (await method(as(technologist), 'Send').send(patient.address, ipfsHashOf(10))).wait();
    await (await method(as(technologist), 'Send').send(patient.address, ipfsHashOf(11))).wait();
    const view = method(as(patient), 'View');
    assert.equal(await view.staticCall(0), ipfsHashOf(10));
    assert.equal(await view.staticCall(1), ipfsHashOf(11));
    await assert.rejects(view.staticCall(2), reverted('IdOutOfRange'));
    // The technologist received nothing: its own array is empty.
    await assert.rejects(method(as(technologist), 'View').staticCall(0), reverted('IdOutOfRange'));
  });
});

describe('EthereumSystem on Ganache', () => {
  it('registers, sends 20 transfers at once, opens them and counts each once on the chain', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'medshare-eth-system-'));
    const system = ethereumSystem({ chain: 'ganache', runDir: dir, maxSenders: 4 });
    try {
      await system.start();
      assert.equal((await system.processes()).length, 1);
      await system.registerUsers(3, 4);
      const sent = await Promise.all(Array.from({ length: 20 }, (_, seq) => system.send(seq)));
      assert.equal(new Set(sent.map((c) => c.ref)).size, 20);
      for (const seq of [0, 7, 19]) {
        const access = await system.access(seq);
        assert.ok(access.block >= (sent[seq]?.block ?? Infinity));
      }
      const counts = await system.committedTransfers();
      assert.deepEqual(
        [...counts.entries()].sort(([a], [b]) => a - b),
        Array.from({ length: 20 }, (_, seq) => [seq, 1]),
      );
      const first = sent[0];
      assert.ok(first);
      assert.equal(await system.finalAt(first, 12), first.committedAt);
      assert.equal(system.settings().hardfork, 'london');
    } finally {
      await system.stop();
      await system.stop();
      await rm(dir, { recursive: true, force: true });
    }
    assert.deepEqual(await system.processes(), []);
  });

  it(
    'commits every transfer when they arrive faster than Ganache mines (no sender stranded, ganache#4522)',
    { timeout: 180_000 },
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'medshare-eth-system-'));
      const system = ethereumSystem({
        chain: 'ganache',
        runDir: dir,
        maxSenders: 6,
        commitTimeoutSeconds: 60,
      });
      try {
        await system.start();
        await system.registerUsers(6, 6);
        // Paced, not all at once: the stranding needs a sender's transaction to
        // arrive while the one before it is being mined.
        const sends: Promise<unknown>[] = [];
        for (let seq = 0; seq < 900; seq++) {
          sends.push(system.send(seq));
          await sleep(10);
        }
        const sent = await Promise.allSettled(sends);
        const failed = sent.filter((s) => s.status === 'rejected');
        assert.deepEqual(failed.slice(0, 3), [], `${failed.length} of 900 failed`);
        assert.equal((await system.committedTransfers()).size, 900);
      } finally {
        await system.stop();
        await rm(dir, { recursive: true, force: true });
      }
    },
  );
});
