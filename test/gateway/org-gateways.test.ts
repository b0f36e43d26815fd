import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createPrivateKey } from 'node:crypto';
import {
  ApiError,
  createCsr,
  generateEncryptionKeyPair,
  federationHeaders,
  FEDERATION_DIRECTORY_PATH as FEDERATION_PATH,
  GatewayClient,
  generateSigningKeyPair,
  loadKeyFile,
  memoryCookieJar,
  openRecord,
  sendRecord,
  verifiedDirectory,
  type AgentServer,
} from 'medshare-gateway-app';
import type { OrgPlan } from 'medshare-network';
import {
  enrolTestUser,
  freePort,
  httpDeviceAgent,
  operatorOf,
  startDeviceAgent,
  startGateway,
  type RunningGateway,
  type TestUser,
} from '../support/medshare';
import { startTestNetwork, type TestNetwork } from '../support/network';
import { readAll, streamOf } from '../support/streams';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * One gateway per organisation (GATEWAY_ORGANISATION): each loads only its
 * own organisation's credentials and serves only its users; a transfer
 * between organisations goes through the ledger and the storage cluster
 * only, and each gateway lists the other's users (asked with its gateway
 * identity), which devices check against the ledger before use.
 */
describe('one gateway per organisation', { timeout: 600_000 }, () => {
  let network: TestNetwork;
  const gateways = new Map<string, RunningGateway>();
  const agents: AgentServer[] = [];
  let tech: TestUser;
  let patient: TestUser;
  let imagingOperator: TestUser;

  const org = (key: string): OrgPlan =>
    network.plan.peerOrgs.find((o) => o.key === key) ?? assert.fail(`no organisation ${key}`);
  const gw = (key: string): RunningGateway => gateways.get(key) ?? assert.fail(`no gateway of ${key}`);

  before(async () => {
    network = await startTestNetwork('raft');
    const keys = ['hospital-a', 'imaging'];
    const ports = new Map<string, number>();
    for (const key of keys) ports.set(key, await freePort());
    for (const key of keys) {
      const others = keys.filter((k) => k !== key);
      gateways.set(
        key,
        await startGateway(network.plan, {
          GATEWAY_PORT: String(ports.get(key)),
          GATEWAY_ORGANISATION: org(key).mspId,
          GATEWAY_PEER_GATEWAYS: others
            .map((k) => `${org(k).mspId}=http://localhost:${String(ports.get(k))}`)
            .join(','),
        }),
      );
    }
    const users = new Map<string, TestUser>();
    for (const key of keys) {
      const operator = await operatorOf(gw(key), org(key), httpDeviceAgent('http://127.0.0.1:1'));
      const agent = await startDeviceAgent(gw(key), operator, `device.${key}`);
      agents.push(agent);
      operator.agent = httpDeviceAgent(agent.url);
      users.set(key, operator);
    }
    const op = (key: string) => users.get(key) ?? assert.fail(key);
    imagingOperator = op('imaging');
    tech = await enrolTestUser(gw('imaging'), op('imaging'), 'tech.org', 'technologist', op('imaging').agent);
    patient = await enrolTestUser(
      gw('hospital-a'),
      op('hospital-a'),
      'patient.org',
      'patient',
      op('hospital-a').agent,
    );
  });

  after(async () => {
    for (const agent of agents) await agent.close();
    for (const gateway of gateways.values()) await gateway.close();
    await (network as TestNetwork | undefined)?.down();
  });

  /** An enrolment at `gateway` with a one-time secret that is not one: the refusal's status and code. */
  async function enrolWithWrongSecret(
    gateway: RunningGateway,
    mspId: string,
  ): Promise<{ status: number; code: string }> {
    const client = new GatewayClient(gateway.url, { cookieJar: memoryCookieJar() });
    const encryption = await generateEncryptionKeyPair();
    try {
      await client.enrol({
        mspId,
        enrollmentId: 'nobody.org',
        secret: 'not-the-secret',
        csr: await createCsr(await generateSigningKeyPair(true), 'nobody.org'),
        password: `correct horse ${randomBytes(6).toString('base64url')} staple`,
        encryptionPublicKey: encryption.publicKeySpki,
      });
    } catch (error) {
      if (error instanceof ApiError) return { status: error.status, code: error.code };
      throw error;
    }
    return assert.fail('the enrolment was accepted');
  }

  it('serves only its own organisation: sign-in choices, enrolment, accounts, health', async () => {
    const imaging = gw('imaging');
    const uiConfig = (await (await fetch(`${imaging.url}/api/ui-config`)).json()) as {
      organisations: string[];
    };
    assert.deepEqual(uiConfig.organisations, [org('imaging').mspId]);
    // It holds no CA credentials of another organisation; at its own CA a wrong secret is refused as such.
    assert.deepEqual(await enrolWithWrongSecret(imaging, org('hospital-a').mspId), {
      status: 404,
      code: 'ORGANISATION_NOT_SERVED',
    });
    assert.deepEqual(await enrolWithWrongSecret(imaging, org('imaging').mspId), {
      status: 401,
      code: 'ENROLMENT_REFUSED',
    });
    // The patient's account lives at their own organisation's gateway only.
    const elsewhere = new GatewayClient(imaging.url, { cookieJar: memoryCookieJar() });
    await assert.rejects(
      elsewhere.login(org('hospital-a').mspId, 'patient.org', patient.password),
      (error: unknown) => error instanceof ApiError && error.code === 'INVALID_CREDENTIALS',
    );
    // Its operators see their own organisation's components only.
    const health = await tech.client
      .request<{ peers: { mspId: string }[] }>('GET', '/api/operator/network')
      .catch((error: unknown) => error);
    assert.ok(health instanceof ApiError, 'a technologist is no operator');
  });

  it('lists the other organisation’s users, which the device checks against the ledger', async () => {
    const listed = await tech.client.directory();
    const entry = listed.find((u) => u.enrollmentId === 'patient.org');
    assert.ok(entry, JSON.stringify(listed.map((u) => u.enrollmentId)));
    assert.deepEqual(
      [entry.mspId, entry.userId, entry.role],
      [org('hospital-a').mspId, patient.keys.userId, 'patient'],
    );
    const verified = await verifiedDirectory(listed, tech.client, tech.keys);
    assert.ok(verified.some((u) => u.userId === patient.keys.userId));
  });

  it('refuses a directory request that is not another organisation’s gateway’s (FEDERATION_REFUSED)', async () => {
    const hospital = gw('hospital-a');
    const unsigned = await fetch(`${hospital.url}${FEDERATION_PATH}`);
    assert.equal(unsigned.status, 403);
    assert.equal(((await unsigned.json()) as { error: { code: string } }).error.code, 'FEDERATION_REFUSED');
    // Signed, but by a person of the organisation (the operator's certificate says role=admin, not gateway).
    const keyFile = await loadKeyFile(imagingOperator.keyFile ?? '');
    const asUser = await fetch(`${hospital.url}${FEDERATION_PATH}`, {
      headers: federationHeaders(
        {
          mspId: keyFile.mspId,
          certificatePem: keyFile.certificatePem,
          privateKey: createPrivateKey(keyFile.signingKey),
        },
        'GET',
        FEDERATION_PATH,
      ),
    });
    assert.equal(asUser.status, 403);
  });

  it('a transfer between organisations goes through the ledger and the cluster only', async () => {
    const plaintext = randomBytes(256 * 1024 + 7);
    const sent = await sendRecord(tech.client, tech.keys, tech.agent, {
      recipientId: patient.keys.userId,
      plaintext: streamOf(plaintext),
      size: plaintext.length,
      mediaType: 'application/dicom',
    });
    const opened = await openRecord(patient.client, patient.keys, patient.agent, sent.recordId, 'PATRQT');
    assert.equal(sha256(await readAll(opened.plaintext)), sha256(plaintext));
  });
});
