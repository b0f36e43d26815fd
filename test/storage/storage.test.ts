import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes, sign, type Hash } from 'node:crypto';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import {
  createDecryptStream,
  createEncryptStream,
  DataKey,
  DEFAULT_SEGMENT_SIZE,
  generateEncryptionKeyPair,
  storeOfOrganisation,
  unwrapDataKey,
  wrapDataKey,
  type EncryptedStore,
  type StoredObject,
  type EncryptionKeyPair,
} from 'medshare-gateway-app';
import { canonicalJson } from 'medshare-chaincode/dist/json';
import { enrollUser, orgAdmin, type IdentityFiles, type OrgPlan } from 'medshare-network';
import { closeGateways, orgGateway } from '../support/attestation';
import { selfRegistration } from '../support/chaincode';
import { connectGateway, type GatewayConnection } from '../support/gateway';
import { networkCli, REPO_DIR, runNodeScript, startTestNetwork, type TestNetwork } from '../support/network';
import { filesUnder } from '../support/storage-probe';

const MiB = 1024 * 1024;
const RECONCILE = join(REPO_DIR, 'gateway-app', 'dist', 'cli', 'reconcile-storage.js');

/** A plaintext stream of `size` random bytes in 1 MiB chunks, hashed as it is produced; `marker` goes first. */
function plaintext(size: number, marker?: Buffer): { stream: ReadableStream<Uint8Array>; hash: Hash } {
  const hash = createHash('sha256');
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent >= size) {
        controller.close();
        return;
      }
      const n = Math.min(MiB, size - sent);
      const chunk = randomBytes(n);
      if (sent === 0 && marker) marker.copy(chunk, 0, 0, Math.min(marker.length, n));
      sent += n;
      hash.update(chunk);
      controller.enqueue(chunk);
    },
  });
  return { stream, hash };
}

/** Reads a stream to its end, returning the SHA-256 of its bytes and their count. */
async function digest(stream: ReadableStream<Uint8Array>): Promise<{ hash: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of stream) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { hash: hash.digest('hex'), size };
}

/** Every file under `dir`, recursively. */
describe('encrypted storage on the private IPFS Cluster', () => {
  let net: TestNetwork;
  let orgA: OrgPlan;
  let orgB: OrgPlan;
  let orgC: OrgPlan;
  let storeA: EncryptedStore;
  let storeB: EncryptedStore;
  const marker = Buffer.from(`MEDSHARE-PLAINTEXT-MARKER-${randomBytes(12).toString('hex')}`);
  const open: GatewayConnection[] = [];

  /** Encrypts `size` random bytes under a fresh data key and stores them through `store`. */
  const storeEncrypted = async (store: EncryptedStore, size: number, withMarker = false) => {
    const key = await DataKey.generate();
    const plain = plaintext(size, withMarker ? marker : undefined);
    const stored = await store.put(plain.stream.pipeThrough(createEncryptStream(key)));
    return { key, stored, plainHash: plain.hash.digest('hex') };
  };
  const fetchDecrypted = async (store: EncryptedStore, stored: StoredObject, key: DataKey) =>
    digest(
      (await store.get(stored.cid, { contentHash: stored.contentHash, size: stored.size })).pipeThrough(
        createDecryptStream(key),
      ),
    );
  const node = (name: string, command: 'stop-node' | 'start-node') =>
    networkCli([command, name, ...net.args]);

  before(async () => {
    net = await startTestNetwork('raft');
    const [a, b, c] = net.plan.peerOrgs;
    assert.ok(a && b && c);
    [orgA, orgB, orgC] = [a, b, c];
    storeA = await storeOfOrganisation(net.plan, orgA, { replicationDeadlineMs: 30_000 });
    // A short lookup grace: the absent CID below would otherwise take the full 30 s to refuse.
    storeB = await storeOfOrganisation(net.plan, orgB, {
      replicationDeadlineMs: 30_000,
      lookupGraceMs: 3000,
    });
  });

  after(async () => {
    open.forEach((c) => {
      c.close();
    });
    await closeGateways();
    await net.down();
  });

  for (const [label, size] of [
    ['0 B', 0],
    ['1 B', 1],
    ['a segment minus one byte', DEFAULT_SEGMENT_SIZE - 1],
    ['a segment plus one byte', DEFAULT_SEGMENT_SIZE + 1],
    ['10 MB', 10_000_000],
  ] as const) {
    it(`round-trips ${label}: stored by one hospital, fetched and decrypted at another`, async () => {
      const { key, stored, plainHash } = await storeEncrypted(storeA, size, size >= marker.length);
      assert.ok(stored.pinnedOn.length >= net.plan.storage.replicationMin, stored.pinnedOn.join(','));
      assert.match(stored.cid, /^baf[ky]/);
      const back = await fetchDecrypted(storeB, stored, key);
      assert.deepEqual(back, { hash: plainHash, size });
    });
  }

  it('round-trips 200 MB with the gateway process growing by far less than the file', async () => {
    const rssBefore = process.memoryUsage().rss;
    let peak = rssBefore;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().rss);
    }, 50);
    try {
      const { key, stored, plainHash } = await storeEncrypted(storeA, 200 * MiB);
      const back = await fetchDecrypted(storeB, stored, key);
      assert.deepEqual(back, { hash: plainHash, size: 200 * MiB });
    } finally {
      clearInterval(sampler);
    }
    assert.ok(peak - rssBefore < 128 * MiB, `RSS grew by ${((peak - rssBefore) / MiB).toFixed(0)} MiB`);
  });

  it('refuses bad input with a clear error and stores nothing', async () => {
    const pinsBefore = (await storeA.allPins()).length;
    await assert.rejects(storeA.put(new Blob([Buffer.from('plain DICOM bytes, not an envelope')]).stream()), {
      name: 'StorageError',
      code: 'INVALID_ARGUMENT',
    });
    await assert.rejects(storeA.put(new Blob([]).stream()), { code: 'INVALID_ARGUMENT' });
    assert.equal((await storeA.allPins()).length, pinsBefore);

    const absent = 'bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku';
    await assert.rejects(storeB.get(absent, { contentHash: 'a'.repeat(64) }), { code: 'NOT_FOUND' });
    await assert.rejects(storeB.get('not-a-cid', { contentHash: 'a'.repeat(64) }), {
      code: 'INVALID_ARGUMENT',
    });

    const { key, stored } = await storeEncrypted(storeA, 300_000);
    const wrongHash = await storeB.get(stored.cid, { contentHash: 'b'.repeat(64) });
    await assert.rejects(digest(wrongHash), { name: 'StorageError', code: 'HASH_MISMATCH' });
    const wrongKey = (await storeB.get(stored.cid, { contentHash: stored.contentHash })).pipeThrough(
      createDecryptStream(await DataKey.generate()),
    );
    await assert.rejects(digest(wrongKey), { name: 'EnvelopeError', code: 'WRONG_KEY' });
    assert.equal((await fetchDecrypted(storeB, stored, key)).size, 300_000);
  });

  it("detects a block altered on one node's disk, which the other nodes still serve intact", async () => {
    const { key, stored, plainHash } = await storeEncrypted(storeA, 200_000);
    // One raw block (under 1 MiB): find it in hospital B's flatfs by a slice of its ciphertext.
    const chunks: Uint8Array[] = [];
    for await (const chunk of await storeA.get(stored.cid, { contentHash: stored.contentHash }))
      chunks.push(chunk);
    const ciphertext = Buffer.concat(chunks);
    const probe = ciphertext.subarray(1000, 1064);
    const blocks = await filesUnder(join(orgB.storage?.ipfsDir ?? '', 'blocks'));
    let altered = '';
    for (const file of blocks) {
      const bytes = await readFile(file);
      const at = bytes.indexOf(probe);
      if (at < 0) continue;
      bytes[at + 10] = (bytes[at + 10] ?? 0) ^ 0x01;
      await writeFile(file, bytes);
      altered = file;
    }
    assert.ok(altered, 'the block was not found in the kubo repository');
    await assert.rejects(
      digest(
        (await storeB.get(stored.cid, { contentHash: stored.contentHash })).pipeThrough(
          createDecryptStream(key),
        ),
      ),
      (e: Error & { code?: string }) => ['HASH_MISMATCH', 'SEGMENT_AUTH_FAILED'].includes(e.code ?? ''),
    );
    assert.equal((await fetchDecrypted(storeA, stored, key)).hash, plainHash);
  });

  describe('with the ledger: a real transfer, the reconciler, and a storage node going away', () => {
    let tech: IdentityFiles;
    let patient: IdentityFiles;
    let techId: string;
    let patientId: string;
    let patientKeys: EncryptionKeyPair;
    let sent: { stored: StoredObject; recordId: string; plainHash: string };

    const gatewayFor = async (org: OrgPlan, user: IdentityFiles) => {
      const peer = org.nodes[0];
      assert.ok(peer);
      const connection = await connectGateway(org, peer, user);
      open.push(connection);
      return connection.gateway.getNetwork(net.plan.channel);
    };
    const reconcile = (...args: string[]) =>
      runNodeScript(RECONCILE, [
        '--org',
        orgA.key,
        ...args,
        '--base-port',
        String(net.plan.basePort),
        '--run-dir',
        net.plan.runDir,
      ]);

    before(async () => {
      tech = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-storage-tech', 'technologist');
      patient = await enrollUser(REPO_DIR, net.plan, net.bin, orgB.key, 'u-storage-patient', 'patient');
      const keys = await generateEncryptionKeyPair();
      patientKeys = keys;
      for (const [org, user, spki] of [
        [orgA, tech, (await generateEncryptionKeyPair()).publicKeySpki],
        [orgB, patient, keys.publicKeySpki],
        // The reconciler runs as hospital-a's admin, which acts only through its own registry entry.
        [orgA, orgAdmin(orgA), (await generateEncryptionKeyPair()).publicKeySpki],
      ] as const) {
        // Each user registers themself, binding their key with their own signature.
        const registry = (await gatewayFor(org, user)).getContract(net.plan.chaincode.name, 'registry');
        const key = createPrivateKey(await readFile(join(user.msp, 'keystore', 'key.pem')));
        await registry.submitTransaction(
          'RegisterSelf',
          ...selfRegistration(org.mspId, await readFile(user.signCert, 'utf8'), key, spki),
        );
      }
      const whoAmI = async (org: OrgPlan, user: IdentityFiles) =>
        (
          JSON.parse(
            Buffer.from(
              await (
                await gatewayFor(org, user)
              )
                .getContract(net.plan.chaincode.name, 'registry')
                .evaluateTransaction('WhoAmI'),
            ).toString(),
          ) as { userId: string }
        ).userId;
      techId = await whoAmI(orgA, tech);
      patientId = await whoAmI(orgB, patient);
    });

    /** The transient `attestation` the gateway of `org` signs for `userId`'s next `action`. */
    const attest = async (org: OrgPlan, userId: string, action: 'send' | 'access') =>
      (await orgGateway(net.plan, org.key)).attest(userId, action);

    it('sends a stored ciphertext as a transfer the recipient fetches, unwraps and decrypts', async () => {
      const { key, stored, plainHash } = await storeEncrypted(storeA, 2 * MiB + 17, true);
      const recordId = `rec-${randomBytes(8).toString('hex')}`;
      const registry = (await gatewayFor(orgA, tech)).getContract(net.plan.chaincode.name, 'registry');
      const recipient = JSON.parse(
        Buffer.from(await registry.evaluateTransaction('GetUser', patientId)).toString(),
      ) as { encryptionKey: { spki: string } };
      const signingKey = createPrivateKey(await readFile(join(tech.msp, 'keystore', 'key.pem')));
      const message = `medshare/transfer/v1\n${recordId}\n${stored.cid}\n${stored.contentHash}\n${patientId}`;
      const envelope = canonicalJson({
        docType: 'envelope',
        recordId,
        readerId: patientId,
        senderId: techId,
        contentHash: stored.contentHash,
        depositorId: techId,
        cid: stored.cid,
        size: stored.size,
        mediaType: 'application/dicom',
        // The data key wrapped for the patient's registered public key.
        wrappedKey: await wrapDataKey(key, recipient.encryptionKey.spki, patientId),
        signature: sign('sha256', Buffer.from(message), {
          key: signingKey,
          dsaEncoding: 'ieee-p1363',
        }).toString('base64'),
        salt: randomBytes(16).toString('base64'),
      });
      const transfers = (await gatewayFor(orgA, tech)).getContract(net.plan.chaincode.name, 'transfer');
      // The envelope first, into the two organisations' collection; then the record naming its hash.
      await transfers.submit('DepositEnvelope', {
        arguments: [recordId, patientId],
        transientData: { envelope },
      });
      await transfers.submit('Send', {
        arguments: [
          recordId,
          patientId,
          stored.contentHash,
          createHash('sha256').update(envelope).digest('hex'),
        ],
        transientData: { attestation: await attest(orgA, techId, 'send') },
      });
      sent = { stored, recordId, plainHash };

      const access = (await gatewayFor(orgB, patient)).getContract(net.plan.chaincode.name, 'access');
      const attempt = JSON.parse(
        Buffer.from(
          await access.submit('RecordAccess', {
            arguments: [recordId, 'TREAT'],
            transientData: { attestation: await attest(orgB, patientId, 'access') },
          }),
        ).toString(),
      ) as { outcome: string; txId: string };
      assert.equal(attempt.outcome, 'granted');
      const mine = JSON.parse(
        Buffer.from(await access.evaluateTransaction('ReadEnvelope', recordId, attempt.txId)).toString(),
      ) as { cid: string; wrappedKey: string; contentHash: string; size: number };
      const dataKey = await unwrapDataKey(mine.wrappedKey, patientKeys, patientId);
      const back = await digest(
        (await storeB.get(mine.cid, { contentHash: mine.contentHash, size: mine.size })).pipeThrough(
          createDecryptStream(dataKey),
        ),
      );
      assert.equal(back.hash, plainHash);
    });

    it('reconciles: everything the ledger refers to is replicated', async () => {
      const result = await reconcile();
      assert.equal(result.code, 0, result.stderr);
      assert.match(
        result.stdout,
        /Checked 1 CIDs referred to by the ledger: 1 replicated, 0 with problems\./,
      );
      assert.match(result.stdout, /cluster pins are not referred to by this organisation's records/);
    });

    it('serves content while a storage node is down, reports it under-replicated, and repairs it when it returns', async () => {
      const storage = orgC.storage;
      assert.ok(storage);
      assert.equal((await node(storage.clusterName, 'stop-node')).code, 0);
      assert.equal((await node(storage.ipfsName, 'stop-node')).code, 0);

      assert.equal((await fetchDecryptedPlain()).hash, sent.plainHash);
      const down = await reconcile();
      assert.equal(down.code, 2, down.stderr);
      // Whether the cluster already names the stopped peer as failing depends on when it noticed; under-replicated it is.
      assert.match(
        down.stdout,
        new RegExp(
          `UNDER-REPLICATED ${sent.stored.cid}: pinned on hospital-a, hospital-b(; failing: imaging)?;? `,
        ),
      );
      assert.match(down.stdout, new RegExp(`records ${sent.recordId}`));

      assert.equal((await node(storage.ipfsName, 'start-node')).code, 0);
      assert.equal((await node(storage.clusterName, 'start-node')).code, 0);
      let state = '';
      for (let i = 0; i < 120 && state !== 'replicated'; i++) {
        state = (await storeA.replication(sent.stored.cid)).state;
        if (state !== 'replicated') await sleep(500);
      }
      const repaired = await reconcile('--repair');
      assert.equal(repaired.code, 0, repaired.stdout);
      assert.match(repaired.stdout, /1 replicated, 0 with problems/);
    });

    it('refuses to store when too few storage peers are up to reach the minimum replication', async () => {
      const downNodes = [orgB.storage, orgC.storage].map((s) => s?.clusterName ?? '');
      for (const name of downNodes) assert.equal((await node(name, 'stop-node')).code, 0);
      try {
        // Let the stopped peers' metrics expire so the allocator no longer counts them.
        await sleep(7000);
        const pinsBefore = (await storeA.allPins()).length;
        await assert.rejects(storeEncrypted(storeA, 100_000), {
          name: 'StorageError',
          code: 'INSUFFICIENT_PEERS',
        });
        assert.equal((await storeA.allPins()).length, pinsBefore);
      } finally {
        for (const name of downNodes) assert.equal((await node(name, 'start-node')).code, 0);
      }
    });

    it('a storage peer that was down learns of content stored meanwhile within seconds, and serves it', async (t) => {
      const storage = orgC.storage;
      assert.ok(storage);
      // The peers the test before restarted count for allocation again once their metrics arrive.
      for (let i = 0; ; i++) {
        const probe = await storeEncrypted(storeA, 1000).catch((error: unknown) => {
          if (i === 30 || (error as { code?: string }).code !== 'INSUFFICIENT_PEERS') throw error;
        });
        if (probe && (await storeA.replication(probe.stored.cid)).state === 'replicated') break;
        await sleep(1000);
      }
      assert.equal((await node(storage.clusterName, 'stop-node')).code, 0);
      let meanwhile: Awaited<ReturnType<typeof storeEncrypted>>;
      try {
        meanwhile = await storeEncrypted(storeA, 200_000);
        // Longer than pubsub keeps a message to gossip to a peer that missed it.
        await sleep(8000);
      } finally {
        assert.equal((await node(storage.clusterName, 'start-node')).code, 0);
      }
      // The returning peer missed the pin's announcement: only a rebroadcast of the heads
      // tells it, within the 30 s lookup grace only because the network rebroadcasts every 5 s.
      const storeC = await storeOfOrganisation(net.plan, orgC);
      const started = Date.now();
      const back = await fetchDecrypted(storeC, meanwhile.stored, meanwhile.key);
      t.diagnostic(`served by the returning peer ${String(Date.now() - started)} ms after it reported ready`);
      assert.equal(back.hash, meanwhile.plainHash);
    });

    const fetchDecryptedPlain = async () => {
      const access = (await gatewayFor(orgB, patient)).getContract(net.plan.chaincode.name, 'access');
      const attempt = JSON.parse(
        Buffer.from(
          await access.submit('RecordAccess', {
            arguments: [sent.recordId, 'TREAT'],
            transientData: { attestation: await attest(orgB, patientId, 'access') },
          }),
        ).toString(),
      ) as { txId: string };
      const mine = JSON.parse(
        Buffer.from(await access.evaluateTransaction('ReadEnvelope', sent.recordId, attempt.txId)).toString(),
      ) as { wrappedKey: string };
      const dataKey = await unwrapDataKey(mine.wrappedKey, patientKeys, patientId);
      return fetchDecrypted(storeA, sent.stored, dataKey);
    };
  });

  it('never lets the plaintext reach a kubo repository, the cluster state or any log', async () => {
    const roots = [...net.plan.peerOrgs.map((o) => join(o.dir, 'storage')), join(net.plan.runDir, 'logs')];
    let scanned = 0;
    for (const root of roots) {
      for (const file of await filesUnder(root)) {
        if ((await stat(file)).size > 512 * MiB) continue;
        const bytes = await readFile(file);
        scanned += bytes.length;
        assert.equal(bytes.indexOf(marker), -1, `the plaintext marker is in ${file}`);
      }
    }
    assert.ok(scanned > 200 * MiB, `only ${scanned} bytes scanned`);
  });
});
