import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import {
  ApiError,
  callLedger,
  GatewayClient,
  nodeUploader,
  grantAccess,
  httpDeviceAgent,
  openRecord,
  sendRecord,
  type AgentServer,
  type DeviceAgent,
} from 'medshare-gateway-app';
import type { OrgPlan } from 'medshare-network';
import { startTestNetwork, type TestNetwork } from '../support/network';
import {
  cookieJar,
  enrolTestUser,
  freshCode,
  operatorOf,
  signIn,
  startDeviceAgent,
  startGateway,
  type RunningGateway,
  type TestUser,
} from '../support/medshare';

function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (let i = 0; i < bytes.length; i += 65_536) controller.enqueue(bytes.subarray(i, i + 65_536));
      controller.close();
    },
  });
}

async function readAll(stream: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ApiError) return error;
    throw error;
  }
  assert.fail('expected a refusal');
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

describe('gateway: zero-trust flows on the real network', { timeout: 900_000 }, () => {
  let network: TestNetwork;
  let gw: RunningGateway;
  const agents: AgentServer[] = [];
  const operators = new Map<string, TestUser>();
  let tech: TestUser;
  let patient: TestUser;
  let doctor: TestUser;
  const org = (key: string): OrgPlan => {
    const found = network.plan.peerOrgs.find((o) => o.key === key);
    assert.ok(found, key);
    return found;
  };
  const plaintext = randomBytes(3 * 1024 * 1024 + 17);
  let recordId = '';

  before(async () => {
    network = await startTestNetwork('raft');
    gw = await startGateway(network.plan);
    for (const key of ['hospital-a', 'hospital-b', 'imaging']) {
      const placeholder: DeviceAgent = httpDeviceAgent('http://127.0.0.1:1');
      const operator = await operatorOf(gw, org(key), placeholder);
      const agent = await startDeviceAgent(gw, operator, `device.${key}`);
      agents.push(agent);
      operator.agent = httpDeviceAgent(agent.url);
      operators.set(key, operator);
    }
    const op = (key: string): TestUser => {
      const operator = operators.get(key);
      assert.ok(operator, key);
      return operator;
    };
    tech = await enrolTestUser(gw, op('imaging'), 'tech1', 'technologist', op('imaging').agent);
    patient = await enrolTestUser(gw, op('hospital-a'), 'patient1', 'patient', op('hospital-a').agent);
    doctor = await enrolTestUser(gw, op('hospital-b'), 'doctor1', 'doctor', op('hospital-b').agent);
  });

  after(async () => {
    for (const agent of agents) await agent.close();
    // before() may have failed part-way, leaving these unset.
    await (gw as RunningGateway | undefined)?.close();
    await (network as TestNetwork | undefined)?.down();
  });

  it('a technologist sends an image to a patient, who opens it: ciphertext only leaves the devices', async () => {
    const sent = await sendRecord(tech.client, tech.keys, tech.agent, {
      recipientId: patient.keys.userId,
      plaintext: streamOf(plaintext),
      size: plaintext.length,
      mediaType: 'application/dicom',
      metadata: { modality: 'CT' },
    });
    recordId = sent.recordId;
    assert.match(sent.txId, /^[0-9a-f]{64}$/);
    assert.notEqual(sent.contentHash, sha256(plaintext));
    const opened = await openRecord(patient.client, patient.keys, patient.agent, recordId, 'PATRQT');
    assert.equal(sha256(await readAll(opened.plaintext)), sha256(plaintext));
    assert.equal(opened.envelope.mediaType, 'application/dicom');
  });

  it('the patient grants a doctor of another hospital, who opens it; after revocation the doctor is refused on the ledger', async () => {
    const expiresAt = new Date(Date.now() + 7 * 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await grantAccess(patient.client, patient.keys, patient.agent, {
      recordId,
      granteeId: doctor.keys.userId,
      purpose: 'TREAT',
      expiresAt,
    });
    const opened = await openRecord(doctor.client, doctor.keys, doctor.agent, recordId, 'TREAT');
    assert.equal(sha256(await readAll(opened.plaintext)), sha256(plaintext));

    await callLedger(patient.client, patient.keys, 'access:RevokeGrant', [recordId, doctor.keys.userId]);
    const denied = await refusal(openRecord(doctor.client, doctor.keys, doctor.agent, recordId, 'TREAT'));
    assert.equal(denied.status, 403);
    assert.equal(denied.code, 'ACCESS_DENIED');
    assert.equal(denied.details.recordedOnLedger, true);
  });

  it('refuses a wrong password, wrong, replayed and stale TOTP codes, and locks out brute force', async () => {
    const client = new GatewayClient(gw.url, { cookieJar: cookieJar(), uploader: nodeUploader });
    const wrong = await refusal(client.login(doctor.org.mspId, doctor.name, 'not the password at all'));
    assert.equal(wrong.status, 401);
    assert.equal(wrong.code, 'INVALID_CREDENTIALS');
    const unknown = await refusal(client.login(doctor.org.mspId, 'nobody-here', 'not the password at all'));
    assert.deepEqual([unknown.status, unknown.code], [401, 'INVALID_CREDENTIALS']);

    await client.login(doctor.org.mspId, doctor.name, doctor.password);
    const badCode = await refusal(client.confirmTotp('000000'));
    assert.deepEqual([badCode.status, badCode.code], [401, 'TOTP_INVALID']);
    const used = await freshCode(doctor.totpSecret, doctor.lastStep);
    await client.confirmTotp(used);
    const again = new GatewayClient(gw.url, { cookieJar: cookieJar(), uploader: nodeUploader });
    await again.login(doctor.org.mspId, doctor.name, doctor.password);
    const replayed = await refusal(again.confirmTotp(used));
    assert.deepEqual([replayed.status, replayed.code], [401, 'TOTP_REPLAYED']);

    const attacker = new GatewayClient(gw.url, { cookieJar: cookieJar(), uploader: nodeUploader });
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        (await refusal(attacker.login(patient.org.mspId, 'ghost-user', `guess number ${i} here`))).code,
      );
    }
    assert.deepEqual(codes.slice(0, 4), Array(4).fill('INVALID_CREDENTIALS'));
    assert.equal(codes.at(-1), 'TOO_MANY_ATTEMPTS');
  });

  it('refuses a send without a device check, with a forged report, and from another origin', async () => {
    const client = tech.client;
    const noCheck = await refusal(client.upload(streamOf(randomBytes(100)), 100));
    assert.deepEqual([noCheck.status, noCheck.code], [403, 'DEVICE_CHECK_REQUIRED']);

    const { nonce, audience } = await client.deviceCheckNonce();
    const report = (await tech.agent.report(nonce, audience)) as { payload: string };
    const forged = { ...report, payload: report.payload.replace('"firewall"', '"firewall" ') };
    const failed = await refusal(client.verifyDevice(forged, 'send'));
    assert.deepEqual([failed.status, failed.code], [403, 'DEVICE_CHECK_FAILED']);
    assert.match(String(failed.details.refusalTxId), /^[0-9a-f]{64}$/);

    const response = await fetch(`${gw.url}/api/device-checks`, {
      method: 'POST',
      headers: { origin: 'http://evil.example', 'content-type': 'application/json' },
    });
    assert.equal(response.status, 403);
    assert.equal(((await response.json()) as { error: { code: string } }).error.code, 'CROSS_ORIGIN_REFUSED');
  });

  it('refuses plaintext uploads and a proposal signed with another user\u2019s key', async () => {
    await (await import('medshare-gateway-app')).checkDevice(tech.client, tech.agent, 'send');
    const plain = await refusal(tech.client.upload(streamOf(Buffer.from('PATIENT NAME: nobody')), 20));
    assert.deepEqual([plain.status, plain.code], [400, 'NOT_CIPHERTEXT']);

    const prepared = await tech.client.prepare('registry:WhoAmI', []);
    assert.ok(prepared.stage === 'proposal');
    const message = Buffer.from(prepared.message, 'base64');
    const signature = await patient.keys.signer.sign(message);
    const rejected = await refusal(
      tech.client.sign(prepared.id, 'proposal', Buffer.from(signature).toString('base64')),
    );
    assert.equal(rejected.status, 403, `${rejected.code}: ${rejected.message}`);
    const badArgument = await refusal(callLedger(tech.client, tech.keys, 'registry:GetUser', ['not-an-id']));
    assert.deepEqual([badArgument.status, badArgument.code], [400, 'INVALID_ARGUMENT']);
  });

  it('a suspended user is signed out and cannot sign in', async () => {
    const operator = operators.get('hospital-b');
    assert.ok(operator);
    const accounts = await operator.client.accounts();
    const account = accounts.find((a) => a.enrollmentId === doctor.name);
    assert.ok(account);
    await operator.client.setAccountStatus(account.accountId, 'suspended');
    const cut = await refusal(doctor.client.me());
    assert.deepEqual([cut.status, cut.code], [403, 'ACCOUNT_SUSPENDED']);
    const login = await refusal(signIn(gw, doctor));
    assert.deepEqual([login.status, login.code], [403, 'ACCOUNT_SUSPENDED']);
    await operator.client.setAccountStatus(account.accountId, 'active');
  });
});
