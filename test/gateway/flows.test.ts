import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiError,
  breakGlass,
  callLedger,
  checkDevice,
  closeReview,
  ClusterClient,
  exportCsv,
  exportFhir,
  myRecords,
  openReviews,
  recordTrail,
  contributeKeyShare,
  TotpService,
  toAuditRows,
  userTrail,
  GatewayClient,
  nodeUploader,
  grantAccess,
  httpDeviceAgent,
  openRecord,
  sendRecord,
  type AgentServer,
  type DeviceAgent,
} from 'medshare-gateway-app';
import { clusterCredentials, type OrgPlan } from 'medshare-network';
import { startTestNetwork, type TestNetwork } from '../support/network';
import { readAll, streamOf } from '../support/streams';
import {
  cookieJar,
  emergencyKeySetOf,
  enrolTestUser,
  freshCode,
  operatorOf,
  releaseByHolders,
  signIn,
  startDeviceAgent,
  startGateway,
  type RunningGateway,
  type TestUser,
} from '../support/medshare';

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
  let erDoctor: TestUser;
  let auditor: TestUser;
  /** Hospital A's two operators: its emergency key set's holders. */
  let holdersA: TestUser[] = [];
  let breakGlassExpiresAt = '';
  const op = (key: string): TestUser => {
    const operator = operators.get(key);
    assert.ok(operator, key);
    return operator;
  };
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
    // Senders split each record's data key for the recipient organisation's emergency key set, so it comes first.
    const secondA = await operatorOf(gw, org('hospital-a'), op('hospital-a').agent, { second: true });
    holdersA = [op('hospital-a'), secondA];
    await emergencyKeySetOf(op('hospital-a'), secondA);
    tech = await enrolTestUser(gw, op('imaging'), 'tech1', 'technologist', op('imaging').agent);
    patient = await enrolTestUser(gw, op('hospital-a'), 'patient1', 'patient', op('hospital-a').agent);
    doctor = await enrolTestUser(gw, op('hospital-b'), 'doctor1', 'doctor', op('hospital-b').agent);
    erDoctor = await enrolTestUser(gw, op('hospital-b'), 'er-doctor', 'doctor', op('hospital-b').agent);
    auditor = await enrolTestUser(gw, op('imaging'), 'auditor1', 'auditor', op('imaging').agent);
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

  it('a doctor of another hospital breaks the glass; the emergency service releases the key; the doctor opens it', async () => {
    const opening = await breakGlass(erDoctor.client, erDoctor.keys, erDoctor.agent, {
      recordId,
      reasonCode: 'UNCONSCIOUS',
      justification: 'Brought in unconscious after a road accident; prior CT needed now.',
      // Short, so that the last test can see it expire.
      durationMinutes: 1,
    });
    breakGlassExpiresAt = opening.expiresAt;
    assert.match(opening.reviewId, /^[0-9a-f]{64}$/);
    // One holder's share releases nothing: the doctor is still refused.
    const [first, second] = holdersA;
    assert.ok(first && second);
    const one = await contributeKeyShare(first.client, first.keys, recordId, erDoctor.keys.userId);
    assert.deepEqual([one.shares, one.threshold, one.released], [1, 2, false]);
    const early = await refusal(
      openRecord(erDoctor.client, erDoctor.keys, erDoctor.agent, recordId, 'ETREAT'),
    );
    assert.deepEqual([early.status, early.code], [403, 'ACCESS_DENIED']);
    const two = await contributeKeyShare(second.client, second.keys, recordId, erDoctor.keys.userId);
    assert.equal(two.released, true);
    // The doctor's device combines the two shares, checks them, and decrypts.
    const opened = await openRecord(erDoctor.client, erDoctor.keys, erDoctor.agent, recordId, 'ETREAT');
    assert.equal(sha256(await readAll(opened.plaintext)), sha256(plaintext));

    const twice = await refusal(contributeKeyShare(first.client, first.keys, recordId, erDoctor.keys.userId));
    assert.deepEqual([twice.status, twice.code], [409, 'FAILED_PRECONDITION']);
    const nurse = await refusal(
      breakGlass(tech.client, tech.keys, tech.agent, {
        recordId,
        reasonCode: 'OTHER',
        justification: 'not a doctor',
        durationMinutes: 5,
      }),
    );
    assert.deepEqual([nurse.status, nurse.code], [403, 'ACCESS_DENIED']);
  });

  it("lists each user's own records: sent, received, granted and opened by break-glass", async () => {
    const ids = (records: unknown[]) => records.map((r) => (r as { recordId: string }).recordId);
    assert.deepEqual(ids(await myRecords(tech.client, tech.keys, 'transfer')), [recordId]);
    assert.deepEqual(ids(await myRecords(patient.client, patient.keys, 'transfer')), [recordId]);
    const grants = (await myRecords(doctor.client, doctor.keys, 'grant')) as { status: string }[];
    assert.deepEqual(
      grants.map((g) => g.status),
      ['revoked'],
    );
    assert.deepEqual(ids(await myRecords(erDoctor.client, erDoctor.keys, 'breakGlass')), [recordId]);
    const auditorInbox = await refusal(myRecords(auditor.client, auditor.keys, 'transfer'));
    assert.deepEqual([auditorInbox.status, auditorInbox.code], [403, 'ACCESS_DENIED']);
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
    // Three steps (90 s) old: outside the accepted window of one step either side.
    const expired = new TotpService().currentCode(doctor.totpSecret, new Date(Date.now() - 90_000));
    const late = await refusal(client.confirmTotp(expired));
    assert.deepEqual([late.status, late.code], [401, 'TOTP_INVALID']);
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

  it('refuses a stale device report, a device that fails the policy, and an oversized upload (nothing stored)', async () => {
    const dir = tmpdir();
    const strictPolicy = join(dir, `medshare-strict-${String(process.pid)}.json`);
    const quickPolicy = join(dir, `medshare-quick-${String(process.pid)}.json`);
    await writeFile(strictPolicy, JSON.stringify({ minKernel: '999' }));
    await writeFile(quickPolicy, JSON.stringify({ maxReportAgeSeconds: 3 }));
    const shared = { GATEWAY_DATABASE: gw.databaseFile, GATEWAY_TOTP_KEY: gw.totpKey.toString('base64') };
    const strict = await startGateway(network.plan, { ...shared, GATEWAY_DEVICE_POLICY: strictPolicy });
    const small = await startGateway(network.plan, {
      ...shared,
      GATEWAY_DEVICE_POLICY: quickPolicy,
      GATEWAY_MAX_UPLOAD_BYTES: '4096',
    });
    const agent = await startDeviceAgent(gw, op('imaging'), 'device.imaging-2', [strict.url, small.url]);
    try {
      const device = httpDeviceAgent(agent.url);
      const atStrict = await signIn(strict, tech);
      const failed = await refusal(checkDevice(atStrict, device, 'send'));
      assert.deepEqual([failed.status, failed.code], [403, 'DEVICE_CHECK_FAILED']);
      assert.equal(failed.details.reason, 'POLICY_FAILED');
      assert.deepEqual(
        (failed.details.violations as { code: string }[]).map((v) => v.code),
        ['KERNEL_TOO_OLD'],
      );
      assert.match(String(failed.details.refusalTxId), /^[0-9a-f]{64}$/);

      const atSmall = await signIn(small, tech);
      const { nonce, audience } = await atSmall.deviceCheckNonce();
      const report = await device.report(nonce, audience);
      await sleep(4500);
      const stale = await refusal(atSmall.verifyDevice(report, 'send'));
      assert.deepEqual(
        [stale.status, stale.code, stale.details.reason],
        [403, 'DEVICE_CHECK_FAILED', 'REPORT_STALE'],
      );

      const cluster = new ClusterClient(await clusterCredentials(org('imaging').storage ?? assert.fail()));
      const pinsBefore = (await cluster.statusAll()).map((p) => p.cid).sort();
      await checkDevice(atSmall, device, 'send');
      const big = await refusal(atSmall.upload(streamOf(randomBytes(10_000)), 10_000));
      assert.deepEqual([big.status, big.code], [413, 'PAYLOAD_TOO_LARGE']);
      assert.deepEqual((await cluster.statusAll()).map((p) => p.cid).sort(), pinsBefore);
    } finally {
      await agent.close();
      await strict.close();
      await small.close();
    }
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

  it('an auditor sees the whole trail of the record and of a user, and closes the break-glass review', async () => {
    const trail = (await recordTrail(auditor.client, auditor.keys, recordId)) as {
      docType?: string;
      record?: { docType: string };
      userId?: string;
      outcome?: string;
      purpose?: string;
    }[];
    assert.ok(
      trail.some((e) => e.record?.docType === 'transfer'),
      'the transfer history',
    );
    // The query itself was recorded before the trail was read: the trail ends with this look at it.
    assert.ok(
      trail.some((e) => e.docType === 'record-event' && (e as { kind?: string }).kind === 'query'),
      'the audit query, on the ledger',
    );
    const accesses = trail.filter((e) => e.docType === 'access');
    const by = (user: TestUser, outcome: string) =>
      accesses.filter((e) => e.userId === user.keys.userId && e.outcome === outcome).length;
    assert.ok(by(patient, 'granted') >= 1);
    assert.ok(by(doctor, 'granted') >= 1, 'the doctor while granted');
    assert.ok(by(doctor, 'denied') >= 1, 'the doctor after revocation');
    assert.ok(accesses.some((e) => e.userId === erDoctor.keys.userId && e.purpose === 'ETREAT'));
    const rows = toAuditRows(trail);
    assert.ok(rows.some((r) => r.emergency && r.actorId === erDoctor.keys.userId));
    const csv = exportCsv(trail).trimEnd().split('\r\n');
    assert.equal(csv.length, rows.length + 1, 'a header and one line per row');
    const fhir = exportFhir(trail) as unknown as {
      resourceType: string;
      entry: { resource: { resourceType: string; purposeOfEvent?: { coding: { code: string }[] }[] } }[];
    };
    assert.equal(fhir.resourceType, 'Bundle');
    const sends = rows.filter((r) => r.kind === 'transfer' && r.reason.startsWith('sent')).length;
    assert.equal(fhir.entry.length, rows.length + sends, 'an export and an import per transfer');
    assert.ok(fhir.entry.every((e) => e.resource.resourceType === 'AuditEvent'));
    assert.ok(fhir.entry.some((e) => e.resource.purposeOfEvent?.[0]?.coding[0]?.code === 'ETREAT'));

    const day = 86_400_000;
    const range = {
      from: new Date(Date.now() - day).toISOString(),
      to: new Date(Date.now() + day).toISOString(),
    };
    const techTrail = (await userTrail(auditor.client, auditor.keys, tech.keys.userId, range)) as {
      docType: string;
      code?: string;
    }[];
    assert.ok(techTrail.some((e) => e.docType === 'transfer'));
    assert.ok(
      techTrail.some((e) => e.docType === 'refusal' && e.code === 'DEVICE_BAD_SIGNATURE'),
      'the forged report, recorded by the gateway',
    );
    assert.ok(techTrail.some((e) => e.docType === 'refusal' && e.code === 'DEVICE_POLICY_FAILED'));
    assert.ok(
      techTrail.some((e) => e.docType === 'audit-query'),
      'this query of the technologist',
    );

    const reviews = (await openReviews(auditor.client, auditor.keys)) as {
      reviewId: string;
      recordId: string;
    }[];
    const review = reviews.find((r) => r.recordId === recordId);
    assert.ok(review);
    await closeReview(
      auditor.client,
      auditor.keys,
      review.reviewId,
      'justified',
      'Checked with the ER team.',
    );
    const still = (await openReviews(auditor.client, auditor.keys)) as { reviewId: string }[];
    assert.ok(!still.some((r) => r.reviewId === review.reviewId));
    // The doctor's session ended when they were suspended; they sign in again.
    const denied = await refusal(recordTrail(await signIn(gw, doctor), doctor.keys, recordId));
    assert.deepEqual([denied.status, denied.code], [403, 'ACCESS_DENIED']);
  });

  it('refuses the break-glass doctor once the opening has expired, and records it', async () => {
    const wait = Date.parse(breakGlassExpiresAt) + 2000 - Date.now();
    if (wait > 0) await sleep(wait);
    const late = await refusal(
      openRecord(erDoctor.client, erDoctor.keys, erDoctor.agent, recordId, 'ETREAT'),
    );
    assert.deepEqual([late.status, late.code, late.details.recordedOnLedger], [403, 'ACCESS_DENIED', true]);
  });

  it('inside one hospital: a doctor sends to a patient, who grants and revokes another doctor; a third breaks the glass', async () => {
    const a = op('hospital-a');
    const sender = await enrolTestUser(gw, a, 'doctor-a1', 'doctor', a.agent);
    const grantee = await enrolTestUser(gw, a, 'doctor-a2', 'doctor', a.agent);
    const er = await enrolTestUser(gw, a, 'er-doctor-a', 'doctor', a.agent);
    const image = randomBytes(256 * 1024 + 5);
    const sent = await sendRecord(sender.client, sender.keys, sender.agent, {
      recipientId: patient.keys.userId,
      plaintext: streamOf(image),
      size: image.length,
      mediaType: 'application/dicom',
    });
    const own = await openRecord(patient.client, patient.keys, patient.agent, sent.recordId, 'PATRQT');
    assert.equal(sha256(await readAll(own.plaintext)), sha256(image));

    const expiresAt = new Date(Date.now() + 86_400_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
    await grantAccess(patient.client, patient.keys, patient.agent, {
      recordId: sent.recordId,
      granteeId: grantee.keys.userId,
      purpose: 'TREAT',
      expiresAt,
    });
    const granted = await openRecord(grantee.client, grantee.keys, grantee.agent, sent.recordId, 'TREAT');
    assert.equal(sha256(await readAll(granted.plaintext)), sha256(image));
    await callLedger(patient.client, patient.keys, 'access:RevokeGrant', [
      sent.recordId,
      grantee.keys.userId,
    ]);
    const revoked = await refusal(
      openRecord(grantee.client, grantee.keys, grantee.agent, sent.recordId, 'TREAT'),
    );
    assert.deepEqual([revoked.status, revoked.code], [403, 'ACCESS_DENIED']);

    await breakGlass(er.client, er.keys, er.agent, {
      recordId: sent.recordId,
      reasonCode: 'LIFE_THREATENING',
      justification: 'Cardiac arrest on the ward; the study is needed now.',
      durationMinutes: 5,
    });
    await releaseByHolders(holdersA, sent.recordId, er.keys.userId);
    const opened = await openRecord(er.client, er.keys, er.agent, sent.recordId, 'ETREAT');
    assert.equal(sha256(await readAll(opened.plaintext)), sha256(image));
  });

  it('a ledger step that fails after the upload names its cause and leaves no ciphertext stored', async () => {
    const cluster = new ClusterClient(await clusterCredentials(org('imaging').storage ?? assert.fail()));
    const pinsBefore = (await cluster.statusAll()).map((p) => p.cid).sort();
    const image = randomBytes(64 * 1024);
    // The record id is taken: the deposit is refused after the ciphertext was uploaded.
    const taken = await refusal(
      sendRecord(tech.client, tech.keys, tech.agent, {
        recipientId: patient.keys.userId,
        plaintext: streamOf(image),
        size: image.length,
        mediaType: 'application/dicom',
        recordId,
      }),
    );
    assert.deepEqual([taken.status, taken.code], [409, 'ALREADY_EXISTS']);
    assert.match(taken.message, new RegExp(`record ${recordId} already exists`));
    // The gateway unpinned it before the refusal reached the device; peers let go of it a moment later.
    let left: string[] = [];
    for (let waited = 0; waited <= 30_000; waited += 500) {
      left = (await cluster.statusAll()).map((p) => p.cid).filter((cid) => !pinsBefore.includes(cid));
      if (left.length === 0) break;
      await sleep(500);
    }
    assert.deepEqual(left, [], 'the uploaded ciphertext is no longer pinned');
  });
});
