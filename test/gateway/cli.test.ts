import assert from 'node:assert/strict';
import { common, peer } from '@hyperledger/fabric-protos';
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { copyFile, readdir, readFile, writeFile } from 'node:fs/promises';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import {
  createCsr,
  generateSigningKeyPair,
  trustBundleDigest,
  trustBundleOf,
  verifyTrustBundle,
  type AgentServer,
  type EmergencyOpeningNotice,
  syntheticStudy,
} from 'medshare-gateway-app';
import type { ErasureRecord } from 'medshare-chaincode';
import { blocksHolding, kuboCat, probesOf } from '../support/storage-probe';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { gatewayIdentity, orgAdmin, type OrgPlan } from 'medshare-network';
import {
  bootstrapOperatorByCli,
  CliUser,
  emergencyKeySetByCli,
  exists,
  GATEWAY_ADMIN_CLI,
  refusedWith,
  gatewayEnvOf,
  inviteAndEnrolByCli,
  operatorsByCli,
  MEDSHARE_CLI,
  runCli,
} from '../support/cli';
import {
  datasetDump,
  dicomValue,
  filesBySopInstance,
  freePort,
  StoreScp,
  twoSeriesStudy,
} from '../support/dicom-network';
import { startHostileGateway } from '../support/hostile-gateway';
import { startGateway, type RunningGateway } from '../support/medshare';
import { startTestNetwork, type TestNetwork } from '../support/network';

const execFileP = promisify(execFile);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

interface InboxRecord {
  kind: string;
  direction: string;
  recordId: string;
  counterpartId: string;
}

describe('medshare CLI: every flow from workstations against the real network', { timeout: 900_000 }, () => {
  let network: TestNetwork;
  let gw: RunningGateway;
  let dir: string;
  const agents: AgentServer[] = [];
  const operators = new Map<string, CliUser>();
  let tech: CliUser;
  let patient: CliUser;
  let auditor: CliUser;
  let doctor: CliUser;
  /** Hospital A's second operator, the other holder of its emergency key set. */
  let secondA: CliUser;
  // A DICOM file of some 700 kB (several encryption segments), checked on the device before it is sent.
  const study =
    syntheticStudy({ slices: 1, rows: 600, columns: 600, bits: 16, transferSyntax: 'explicit-le' })[0]
      ?.bytes ?? assert.fail('no synthetic slice');
  let recordId = '';
  let reviewId = '';

  const org = (key: string): OrgPlan => {
    const found = network.plan.peerOrgs.find((o) => o.key === key);
    assert.ok(found, key);
    return found;
  };
  const op = (key: string): CliUser => {
    const found = operators.get(key);
    assert.ok(found, key);
    return found;
  };

  before(async () => {
    network = await startTestNetwork('raft');
    gw = await startGateway(network.plan);
    dir = await mkdtemp(join(tmpdir(), 'medshare-cli-it-'));
    for (const [key, operator] of await operatorsByCli(gw, network.plan, dir, agents)) {
      operators.set(key, operator);
    }
    // Before anything is sent to hospital-a, so that senders split each data key for its key set too.
    secondA = await bootstrapOperatorByCli(gw, network.plan, org('hospital-a'), dir, { second: true });
    await emergencyKeySetByCli(op('hospital-a'), secondA);
    tech = await inviteAndEnrolByCli(gw, op('imaging'), 'tech1', 'technologist', dir);
    patient = await inviteAndEnrolByCli(gw, op('hospital-a'), 'patient1', 'patient', dir);
    auditor = await inviteAndEnrolByCli(gw, op('hospital-a'), 'auditor1', 'auditor', dir, { human: true });
    doctor = await inviteAndEnrolByCli(gw, op('hospital-b'), 'doctor1', 'doctor', dir);
  });

  after(async () => {
    for (const agent of agents) await agent.close();
    // before() may have failed part-way, leaving these unset.
    await (gw as RunningGateway | undefined)?.close();
    await (network as TestNetwork | undefined)?.down();
  });

  it('operators made by medshare-gateway-admin see the accounts they invited; key files are private', async () => {
    const { accounts } = await op('hospital-a').json<{
      accounts: { enrollmentId: string; status: string }[];
    }>(['operator', 'accounts']);
    assert.deepEqual(
      accounts.map((a) => `${a.enrollmentId}:${a.status}`),
      ['admin.hospital-a:active', 'admin2.hospital-a:active', 'auditor1:active', 'patient1:active'],
    );
    const me = await op('hospital-a').json<{ account: { role: string }; ledger: unknown }>(['whoami']);
    assert.equal(me.account.role, 'admin');
    // No organisation-wide emergency private key sits in any operator's file: each holds only their own keys.
    const keyFile = JSON.parse(await readFile(op('hospital-a').keyFile, 'utf8')) as Record<string, unknown>;
    assert.deepEqual(
      Object.keys(keyFile).filter((k) => /emergency/i.test(k)),
      [],
    );
    const refused = await patient.run(['operator', 'accounts']);
    refusedWith(refused, 1, 'OPERATORS_ONLY');
  });

  it('usage errors exit 2 with one line: a missing key file, an unknown command', async () => {
    refusedWith(
      await runCli(MEDSHARE_CLI, ['inbox'], { MEDSHARE_KEY_FILE: join(dir, 'nobody.json') }),
      2,
      'NO_KEY_FILE',
    );
    refusedWith(await tech.run(['sned', 'x']), 2, 'USAGE');
  });

  it('send checks each file on the device first: an empty file or a random one named .dcm exits 1, and nothing is sent', async () => {
    const empty = join(dir, 'empty.dcm');
    const random = join(dir, 'random.dcm');
    await writeFile(empty, '');
    await writeFile(
      random,
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256),
    );
    const before = await tech.json<{ records: InboxRecord[] }>(['inbox', '--kind', 'transfer']);
    refusedWith(await tech.run(['send', empty, '--to', patient.userId]), 1, 'EMPTY_FILE');
    refusedWith(await tech.run(['send', random, '--to', patient.userId]), 1, 'NOT_DICOM');
    const after = await tech.json<{ records: InboxRecord[] }>(['inbox', '--kind', 'transfer']);
    assert.equal(after.records.length, before.records.length, 'no record was made');
  });

  it('a technologist sends a study; the patient finds it in the inbox, opens it, and the bytes match', async () => {
    const { users } = await tech.json<{ users: { userId: string; enrollmentId: string }[] }>([
      'directory',
      '--role',
      'patient',
    ]);
    assert.equal(users.find((u) => u.enrollmentId === 'patient1')?.userId, patient.userId);

    const file = join(dir, 'study-001.dcm');
    await writeFile(file, study);
    const { sent } = await tech.json<{
      sent: { recordId: string; txId: string; cid: string; mediaType: string }[];
    }>(['send', file, '--to', patient.userId]);
    assert.equal(sent.length, 1);
    const [first] = sent;
    assert.ok(first);
    assert.match(first.txId, /^[0-9a-f]{64}$/);
    assert.equal(first.mediaType, 'application/dicom');
    recordId = first.recordId;

    const inbox = await patient.json<{ records: (InboxRecord & { label?: unknown })[] }>(['inbox']);
    const received = inbox.records.find((r) => r.recordId === recordId);
    // The label the technologist's device sealed for the two of them, opened on the patient's.
    assert.ok(received, 'the patient received the record');
    assert.deepEqual(received.label, {
      description: 'Synthetic phantom study',
      modality: 'CT',
      date: '20240131',
      files: 1,
    });
    assert.deepEqual(
      { kind: received.kind, direction: received.direction, from: received.counterpartId },
      { kind: 'transfer', direction: 'received', from: tech.userId },
    );
    const listed = await patient.run(['inbox']);
    assert.match(listed.stdout, new RegExp(`^transfer\\s+received\\s+${recordId}\\s+${tech.userId}`, 'm'));
    const outbox = await tech.json<{ records: InboxRecord[] }>(['inbox', '--kind', 'transfer']);
    assert.equal(outbox.records.find((r) => r.recordId === recordId)?.direction, 'sent');

    const out = join(dir, 'opened.dcm');
    const opened = await patient.json<{ sha256: string; size: number; purpose: string; accessTxId: string }>([
      'open',
      recordId,
      '--out',
      out,
    ]);
    assert.equal(opened.purpose, 'PATRQT');
    assert.equal(opened.size, study.length);
    assert.equal(opened.sha256, sha256(study));
    assert.equal(sha256(await readFile(out)), sha256(study));
  });

  it('send --deidentify: the Basic Profile is applied here before encryption; a file that is not DICOM stops the send', async () => {
    const slices = syntheticStudy({
      slices: 2,
      rows: 32,
      columns: 32,
      bits: 16,
      transferSyntax: 'explicit-le',
      seed: 63,
    });
    const files = await Promise.all(
      slices.map(async (s, i) => {
        const file = join(dir, `deid-${String(i)}.dcm`);
        await writeFile(file, s.bytes);
        return file;
      }),
    );
    const photo = join(dir, 'photo.png');
    await writeFile(photo, Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'));
    const before = await tech.json<{ records: InboxRecord[] }>(['inbox', '--kind', 'transfer']);
    refusedWith(
      await tech.run(['send', ...files, photo, '--to', patient.userId, '--deidentify']),
      1,
      'NOT_DICOM',
    );
    const unchanged = await tech.json<{ records: InboxRecord[] }>(['inbox', '--kind', 'transfer']);
    assert.equal(unchanged.records.length, before.records.length, 'nothing was sent');

    const { sent } = await tech.json<{ sent: { recordId: string }[] }>([
      'send',
      ...files,
      '--to',
      patient.userId,
      '--deidentify',
    ]);
    assert.equal(sent.length, 2);
    // One after the other: each open runs its own device check.
    const opened: string[] = [];
    for (const [i, { recordId: id }] of sent.entries()) {
      const out = join(dir, `deid-opened-${String(i)}.dcm`);
      await patient.json(['open', id, '--out', out]);
      opened.push(out);
    }
    const studyUids = new Set<string>();
    for (const [i, out] of opened.entries()) {
      const dumped = await datasetDump(out);
      for (const identifying of ['SYNTHETIC^PATIENT', 'SYN-0001', 'MedShare Synthetic']) {
        assert.ok(!dumped.includes(identifying), `${identifying} is gone from the record`);
      }
      assert.equal(await dicomValue(out, '0012,0062'), 'YES', 'Patient Identity Removed');
      const uid = await dicomValue(out, '0020,000d');
      assert.notEqual(uid, await dicomValue(files[i] ?? '', '0020,000d'), 'the study UID is replaced');
      studyUids.add(uid);
    }
    assert.equal(studyUids.size, 1, 'consistently across the files of one send');
  });

  it('open of a record the caller may not read exits 1 with ACCESS_DENIED and leaves no file', async () => {
    const out = join(dir, 'denied.dcm');
    refusedWith(await doctor.run(['open', recordId, '--out', out]), 1, 'ACCESS_DENIED');
    assert.equal(await exists(out), false);
    assert.deepEqual(
      (await readdir(dir)).filter((n) => n.includes('denied')),
      [],
      'no temporary file either',
    );
  });

  it('DICOM edge: storescu pushes a two-series study into the technologist\u2019s edge, which sends it to the doctor; the doctor pushes it on to a storescp, data sets equal', async () => {
    const { files, studyUid } = await twoSeriesStudy(join(dir, 'modality'), 41);
    const spool = join(dir, 'edge-spool');
    const edge = tech.start([
      'dicom',
      'receive',
      '--ae',
      'MEDSHARE_EDGE',
      '--port',
      '0',
      '--allow',
      'CT_ROOM_1',
      '--route',
      `calling-ae:CT_ROOM_1=${doctor.userId}`,
      '--spool',
      spool,
      '--quiet-seconds',
      '2',
      '--json',
    ]);
    let sent: { recordId: string; instances: number };
    try {
      const { port } = JSON.parse(await edge.waitFor((l) => l.includes('"listening"'))) as { port: number };
      // A calling AE outside the allow-list: A-ASSOCIATE-RJ, permanent, calling AE title not recognized.
      const stranger = await execFileP('storescu', [
        '-aet',
        'STRANGER',
        '-aec',
        'MEDSHARE_EDGE',
        '127.0.0.1',
        String(port),
        files[0] ?? '',
      ]).then(
        () => undefined,
        (error: unknown) => error as { code: number; stderr: string },
      );
      assert.ok(stranger, 'the association is rejected');
      assert.match(stranger.stderr, /Rejected Permanent, Source: Service User/);
      assert.match(stranger.stderr, /Calling AE Title Not Recognized/);
      // The modality: each file in its own transfer syntax (JPEG lossless proposed as well as uncompressed).
      await execFileP('storescu', [
        '-xs',
        '-R',
        '-aet',
        'CT_ROOM_1',
        '-aec',
        'MEDSHARE_EDGE',
        '127.0.0.1',
        String(port),
        ...files,
      ]);
      sent = JSON.parse(await edge.waitFor((l) => l.includes('"study-sent"'))) as typeof sent;
      assert.equal(sent.instances, 5);
      const complete = JSON.parse(edge.lines.find((l) => l.includes('"study-complete"')) ?? '{}') as {
        series?: number;
      };
      assert.equal(complete.series, 2);
      // The log names the study by a hash: no UID, no patient name.
      assert.ok(!edge.transcript().includes(studyUid));
      assert.ok(!edge.transcript().includes('SYNTHETIC'));
      assert.deepEqual(await readdir(join(spool, 'incoming')), [], 'a sent study leaves the spool');
    } finally {
      assert.equal(await edge.stop(), 0, edge.transcript());
    }
    assert.match(edge.lines.at(-1) ?? '', /"stopped"/);

    const inbox = await doctor.json<{ records: InboxRecord[] }>(['inbox', '--kind', 'transfer']);
    assert.equal(inbox.records.find((r) => r.recordId === sent.recordId)?.counterpartId, tech.userId);
    const pacsDir = join(dir, 'pacs');
    const port = await freePort();
    const pacs = await StoreScp.start('PACS', port, pacsDir);
    let pushed: { stored: number; accessTxId: string };
    try {
      pushed = await doctor.json([
        'dicom',
        'push',
        sent.recordId,
        '--to-ae',
        'PACS',
        '--host',
        '127.0.0.1',
        '--port',
        String(port),
      ]);
    } finally {
      await pacs.stop();
    }
    assert.equal(pushed.stored, 5);
    assert.match(pushed.accessTxId, /^[0-9a-f]{64}$/);
    const received = await filesBySopInstance(pacsDir);
    assert.equal(received.size, 5);
    for (const file of files) {
      const copy = received.get(await dicomValue(file, '0008,0018'));
      assert.ok(copy, `${file} reached the PACS`);
      assert.equal(await datasetDump(copy), await datasetDump(file), `${file} arrived as sent`);
    }
  });

  it('a wrong TOTP code exits 1 with TOTP_INVALID; then login, whoami and logout', async () => {
    // A copy of the key file has its own session file, so the patient's session is left alone.
    const copy = join(dir, 'patient1-laptop.json');
    await copyFile(patient.keyFile, copy);
    const env = { MEDSHARE_KEY_FILE: copy };
    refusedWith(await patient.run(['login', '--code', '000000'], env), 1, 'TOTP_INVALID');
    await patient.login(env);
    const me = await patient.json<{
      account: { enrollmentId: string };
      ledger: { status: string; role: string };
    }>(['whoami'], env);
    assert.deepEqual(
      [me.account.enrollmentId, me.ledger.status, me.ledger.role],
      ['patient1', 'active', 'patient'],
    );
    await patient.json(['logout'], env);
    assert.equal(await exists(`${copy}.session`), false);
    refusedWith(await patient.run(['whoami'], env), 1, 'NOT_SIGNED_IN');
  });

  it('the patient grants the doctor, who opens it; after revoke the doctor is refused', async () => {
    const granted = await patient.json<{ txId: string }>([
      'grant',
      recordId,
      '--to',
      doctor.userId,
      '--purpose',
      'TREAT',
      '--days',
      '7',
    ]);
    assert.match(granted.txId, /^[0-9a-f]{64}$/);
    const grants = await doctor.json<{ records: InboxRecord[] }>(['inbox', '--kind', 'grant']);
    assert.deepEqual(
      grants.records.map((r) => [r.recordId, r.direction]),
      [[recordId, 'received']],
    );
    const out = join(dir, 'granted.dcm');
    const opened = await doctor.json<{ sha256: string }>([
      'open',
      recordId,
      '--purpose',
      'TREAT',
      '--out',
      out,
    ]);
    assert.equal(opened.sha256, sha256(study));

    await patient.json(['revoke', recordId, '--from', doctor.userId]);
    const late = join(dir, 'revoked.dcm');
    refusedWith(
      await doctor.run(['open', recordId, '--purpose', 'TREAT', '--out', late]),
      1,
      'ACCESS_DENIED',
    );
    assert.equal(await exists(late), false);
  });

  it('break-glass: a doctor of another hospital opens, hospital-a releases the key, the doctor reads (ETREAT)', async () => {
    const justification = join(dir, 'justification.txt');
    await writeFile(justification, 'Unconscious patient admitted to A&E; prior CT needed now.\n');
    const opening = await doctor.json<{ reviewId: string; expiresAt: string }>([
      'break-glass',
      recordId,
      '--reason',
      'UNCONSCIOUS',
      '--justification-file',
      justification,
      '--minutes',
      '30',
    ]);
    assert.match(opening.reviewId, /^[0-9a-f]{64}$/);
    assert.ok(Date.parse(opening.expiresAt) > Date.now());
    reviewId = opening.reviewId;

    // Before the release the doctor is refused, with the reason; the operator finds the opening in the app.
    refusedWith(
      await doctor.run(['open', recordId, '--purpose', 'ETREAT', '--out', join(dir, 'early.dcm')]),
      1,
      'ACCESS_DENIED',
    );
    const pending = await op('hospital-a').json<{ openings: { recordId: string; doctorId: string }[] }>([
      'emergency-pending',
    ]);
    assert.ok(pending.openings.some((o) => o.recordId === recordId && o.doctorId === doctor.userId));

    // One holder's share releases nothing; the second holder's does.
    const first = await op('hospital-a').json<{ txId: string; shares: number; released: boolean }>([
      'emergency-release',
      recordId,
      '--doctor',
      doctor.userId,
    ]);
    assert.deepEqual([first.shares, first.released], [1, false]);
    refusedWith(
      await doctor.run(['open', recordId, '--purpose', 'ETREAT', '--out', join(dir, 'half.dcm')]),
      1,
      'ACCESS_DENIED',
    );
    const released = await secondA.json<{ txId: string; shares: number; released: boolean }>([
      'emergency-release',
      recordId,
      '--doctor',
      doctor.userId,
    ]);
    assert.deepEqual([released.shares, released.released], [2, true]);
    assert.match(released.txId, /^[0-9a-f]{64}$/);

    const out = join(dir, 'emergency.dcm');
    const opened = await doctor.json<{ sha256: string }>([
      'open',
      recordId,
      '--purpose',
      'ETREAT',
      '--out',
      out,
    ]);
    assert.equal(opened.sha256, sha256(study));
    assert.equal(sha256(await readFile(out)), sha256(study));
    const after = await op('hospital-a').json<{ openings: { recordId: string }[] }>(['emergency-pending']);
    assert.ok(!after.openings.some((o) => o.recordId === recordId));

    // The patient's inbox announces the opening: who, when, why, and the key's release.
    const inbox = await patient.json<{ emergencyOpenings: EmergencyOpeningNotice[] }>(['inbox']);
    assert.deepEqual(
      inbox.emergencyOpenings.map((o) => [
        o.recordId,
        o.doctorId,
        o.reasonCode,
        o.until,
        Boolean(o.keyReleasedAt),
      ]),
      [[recordId, doctor.userId, 'UNCONSCIOUS', opening.expiresAt, true]],
    );
    const listed = await patient.run(['inbox']);
    assert.equal(listed.code, 0);
    assert.match(listed.stdout, /^EMERGENCY OPENINGS of your records \(1\):/);
    assert.match(
      listed.stdout,
      new RegExp(
        `${recordId}\\s+${doctor.userId}\\s+HospitalB\\S*\\s+\\S+\\s+\\S+\\s+UNCONSCIOUS\\s+released\\s+pending`,
      ),
    );
  });

  it('an auditor exports the record\u2019s trail as CSV and FHIR and closes the break-glass review', async () => {
    const csvFile = join(dir, 'trail.csv');
    const summary = await auditor.json<{ entries: number }>([
      'audit',
      'record',
      recordId,
      '--format',
      'csv',
      '--out',
      csvFile,
    ]);
    assert.ok(summary.entries > 0);
    const csv = await readFile(csvFile, 'utf8');
    const [header, ...rows] = csv.trim().split('\n');
    assert.match(header ?? '', /txId/);
    assert.ok(
      rows.some((r) => r.includes(doctor.userId) && r.includes('denied')),
      'the refused open',
    );
    assert.ok(
      rows.some((r) => r.includes('ETREAT')),
      'the emergency read',
    );

    const fhir = await auditor.run(['audit', 'record', recordId, '--format', 'fhir']);
    assert.equal(fhir.code, 0, fhir.stderr);
    const bundle = JSON.parse(fhir.stdout) as {
      resourceType: string;
      entry?: {
        resource: { type: { code: string }; agent: { who?: { identifier?: { value: string } } }[] };
      }[];
    };
    assert.equal(bundle.resourceType, 'Bundle');
    assert.ok((bundle.entry ?? []).length > 0);
    // Each export's query is on the ledger before it reads: both of the auditor's looks, as 110112 Query.
    const queries = (bundle.entry ?? []).filter((e) => e.resource.type.code === '110112');
    assert.equal(queries.length, 2);
    assert.ok(queries.every((q) => q.resource.agent[0]?.who?.identifier?.value === auditor.userId));

    const open = await auditor.json<{ reviews: { reviewId: string }[] }>(['audit', 'reviews']);
    assert.ok(open.reviews.some((r) => r.reviewId === reviewId));
    const note = join(dir, 'note.txt');
    await writeFile(note, 'Checked with A&E: admission record confirms.\n');
    await auditor.json(['audit', 'close-review', reviewId, '--finding', 'justified', '--note-file', note]);
    const after = await auditor.json<{ reviews: { reviewId: string }[] }>(['audit', 'reviews']);
    assert.ok(!after.reviews.some((r) => r.reviewId === reviewId));
  });

  it('erasure between two organisations: the patient asks, an admin of each confirms, and no storage node keeps a block', async () => {
    // Random bytes, sent as what they are (application/octet-stream).
    const file = join(dir, 'to-erase.bin');
    await writeFile(file, randomBytes(1536 * 1024 + 7));
    const { sent } = await tech.json<{ sent: { recordId: string; cid: string }[] }>([
      'send',
      file,
      '--to',
      patient.userId,
    ]);
    const [record] = sent;
    assert.ok(record);
    const storageOrgs = network.plan.peerOrgs.filter((o) => o.storage);
    // The ciphertext, as any earlier reader could have fetched it; its blocks lie on the nodes' disks.
    const ciphertext = await kuboCat(org('hospital-a'), record.cid);
    const probes = probesOf(ciphertext);
    assert.ok(probes.length >= 20);
    assert.ok((await blocksHolding(storageOrgs, probes)).length >= 2, 'the ciphertext is replicated on disk');

    const reasonFile = join(dir, 'erase-reason.txt');
    await writeFile(reasonFile, 'The patient withdrew consent to keep this study.\n');
    refusedWith(await tech.run(['erase', record.recordId, '--reason-file', reasonFile]), 1, 'ACCESS_DENIED');
    const asked = await patient.json<{ erasure: ErasureRecord }>([
      'erase',
      record.recordId,
      '--reason-file',
      reasonFile,
    ]);
    assert.deepEqual(asked.erasure.required, [org('hospital-a').mspId, org('imaging').mspId].sort());
    // Another hospital, which does not hold the record, has no say.
    refusedWith(
      await op('hospital-b').run(['operator', 'confirm-erasure', record.recordId]),
      1,
      'ACCESS_DENIED',
    );
    const waiting = await op('imaging').json<{ erasures: ErasureRecord[] }>(['operator', 'erasures']);
    assert.ok(waiting.erasures.some((e) => e.recordId === record.recordId));
    const half = await op('imaging').json<{ erasure: ErasureRecord }>([
      'operator',
      'confirm-erasure',
      record.recordId,
    ]);
    assert.equal(half.erasure.status, 'requested');
    // One confirmation is not enough: the patient still reads it.
    assert.equal((await patient.run(['open', record.recordId, '--out', join(dir, 'still.dcm')])).code, 0);

    const done = await op('hospital-a').json<{ erasure: ErasureRecord }>([
      'operator',
      'confirm-erasure',
      record.recordId,
    ]);
    assert.equal(done.erasure.status, 'erased');
    const storage = done.erasure.storage;
    assert.ok(storage);
    assert.equal(storage.collectedOn.length, storageOrgs.length, 'every storage node collected');
    assert.ok(storage.unpinnedFrom >= 2);

    // No storage node's repository holds a block of it, and no node serves it, even to someone who kept the CID.
    assert.deepEqual(await blocksHolding(storageOrgs, probes), []);
    for (const o of storageOrgs) {
      await assert.rejects(kuboCat(o, record.cid, true), /kubo of/);
    }
    const out = join(dir, 'erased.dcm');
    refusedWith(await patient.run(['open', record.recordId, '--out', out]), 1, 'ACCESS_DENIED', /erased/);
    assert.equal(await exists(out), false);

    // The ledger keeps the evidence, for the auditor: who asked, who confirmed, the hashes, the storage report.
    const evidence = await auditor.json<{ erasure: ErasureRecord }>(['erasure', record.recordId]);
    assert.equal(evidence.erasure.requestedBy, patient.userId);
    assert.deepEqual(
      evidence.erasure.confirmations.map((c) => c.mspId),
      [org('imaging').mspId, org('hospital-a').mspId],
    );
    assert.equal(evidence.erasure.contentHash, sha256(ciphertext));
    assert.equal(
      evidence.erasure.reasonHash,
      sha256(Buffer.from('The patient withdrew consent to keep this study.')),
    );
    const shown = await patient.run(['erasure', record.recordId]);
    assert.match(shown.stdout, /erasure erased/);
    assert.match(shown.stdout, /garbage-collected on \d+ storage nodes/);
  });

  it('operator suspend makes the patient\u2019s next command fail with ACCOUNT_SUSPENDED', async () => {
    const suspended = await op('hospital-a').json<{ status: string; ledger: { txId?: string } }>([
      'operator',
      'suspend',
      'patient1',
    ]);
    assert.equal(suspended.status, 'suspended');
    assert.match(suspended.ledger.txId ?? '', /^[0-9a-f]{64}$/);
    refusedWith(await patient.run(['inbox']), 1, 'ACCOUNT_SUSPENDED');
    const reactivated = await op('hospital-a').json<{ status: string }>([
      'operator',
      'reactivate',
      'patient1',
    ]);
    assert.equal(reactivated.status, 'active');
  });

  it('operator suspend of a gateway\u2019s ledger id (no account here) suspends its registry entry; reactivate restores it', async () => {
    const a = org('hospital-a');
    const gatewayId = identityOfCertificate(
      a.mspId,
      await readFile(gatewayIdentity(a).signCert, 'utf8'),
    ).userId;
    for (const [command, status] of [
      ['suspend', 'suspended'],
      ['reactivate', 'active'],
    ] as const) {
      const changed = await op('hospital-a').json<{
        userId: string;
        status: string;
        ledger: { txId?: string };
      }>(['operator', command, gatewayId]);
      assert.equal(changed.userId, gatewayId);
      assert.equal(changed.status, status);
      assert.match(changed.ledger.txId ?? '', /^[0-9a-f]{64}$/);
    }
    refusedWith(await op('hospital-a').run(['operator', 'suspend', 'f'.repeat(64)]), 1, 'NOT_FOUND');
  });

  it('the gateway serves the consortium\u2019s trust bundle: each organisation\u2019s CA root, the channel, the chaincode', async () => {
    const expected = await trustBundleOf(network.plan);
    const served = (await (await fetch(`${gw.url}/api/trust-bundle`)).json()) as { bundle: unknown };
    const bundle = verifyTrustBundle(served.bundle, trustBundleDigest(expected));
    assert.deepEqual(
      bundle.organisations.map((o) => [o.mspId, o.role]),
      [
        ['HospitalAMSP', 'peer'],
        ['HospitalBMSP', 'peer'],
        ['ImagingMSP', 'peer'],
        ['OrdererMSP', 'orderer'],
      ],
    );
    for (const o of [network.plan.ordererOrg, ...network.plan.peerOrgs]) {
      const root = (await readFile(o.caCertFile, 'utf8')).trim();
      assert.deepEqual(
        bundle.organisations.find((b) => b.mspId === o.mspId)?.rootCertificates.map((c) => c.trim()),
        [root],
      );
    }
    assert.deepEqual([bundle.channel, bundle.chaincode], [network.plan.channel, network.plan.chaincode.name]);
  });

  it('a hostile gateway that enrols a key of its own with the one-time secret is refused: CERT_MISMATCH, no key file', async () => {
    const invited = await op('hospital-b').json<{ secret: string; trustDigest: string }>([
      'operator',
      'invite',
      '--name',
      'doctor2',
      '--role',
      'doctor',
    ]);
    // The attacker swaps the device's certificate request for one of its own key, same name: the CA
    // issues a genuine certificate, for the attacker's key.
    const attackerCsr = await createCsr(await generateSigningKeyPair(true), 'doctor2');
    const hostile = await startHostileGateway(gw.url, {
      request: (method, path, body) => {
        if (method !== 'POST' || path !== '/api/enrolments') return undefined;
        return Buffer.from(JSON.stringify({ ...(JSON.parse(body.toString()) as object), csr: attackerCsr }));
      },
    });
    try {
      const secretFile = join(dir, 'doctor2.secret');
      await writeFile(secretFile, `${invited.secret}\n`, { mode: 0o600 });
      const victim = new CliUser('doctor2', org('hospital-b'), 'doctor', dir);
      const enrol = [
        'enrol',
        '--gateway',
        hostile.url,
        '--msp',
        org('hospital-b').mspId,
        '--name',
        'doctor2',
        '--trust',
        invited.trustDigest,
      ];
      refusedWith(await victim.run([...enrol, '--secret-file', secretFile]), 1, 'CERT_MISMATCH');
      assert.deepEqual(
        hostile.seen.filter((e) => e.path === '/api/enrolments').map((e) => e.status),
        [201],
        'the CA did issue the attacker\u2019s certificate',
      );
      assert.equal(await exists(victim.keyFile), false, 'no key file saved');
      assert.equal(await exists(`${victim.keyFile}.session`), false, 'no session saved');
    } finally {
      await hostile.close();
    }
  });

  it('a hostile gateway that serves a trust bundle with a CA root of its own is refused before the secret is sent: TRUST_BUNDLE_MISMATCH', async () => {
    const invited = await op('hospital-b').json<{ secret: string; trustDigest: string }>([
      'operator',
      'invite',
      '--name',
      'doctor3',
      '--role',
      'doctor',
    ]);
    const impostorRoot = await readFile(org('hospital-a').caCertFile, 'utf8');
    const hostile = await startHostileGateway(gw.url, {
      response: (method, path, _status, body) => {
        if (method !== 'GET' || path !== '/api/trust-bundle') return undefined;
        // Another CA in place of Riverside's: every certificate it issued would then pass as Riverside's.
        const served = JSON.parse(body.toString()) as {
          bundle: { organisations: { mspId: string; rootCertificates: string[] }[] };
        };
        for (const o of served.bundle.organisations) {
          if (o.mspId === org('hospital-b').mspId) o.rootCertificates = [impostorRoot];
        }
        return Buffer.from(JSON.stringify(served));
      },
    });
    const secretFile = join(dir, 'doctor3.secret');
    await writeFile(secretFile, `${invited.secret}\n`, { mode: 0o600 });
    const victim = new CliUser('doctor3', org('hospital-b'), 'doctor', dir);
    const enrol = (gateway: string) => [
      'enrol',
      ...['--gateway', gateway, '--msp', org('hospital-b').mspId, '--name', 'doctor3'],
      ...['--trust', invited.trustDigest, '--secret-file', secretFile],
    ];
    try {
      refusedWith(await victim.run(enrol(hostile.url)), 1, 'TRUST_BUNDLE_MISMATCH');
      assert.deepEqual(
        hostile.seen.map((e) => e.path).filter((p) => p.startsWith('/api/enrolments')),
        [],
        'nothing was sent for enrolment',
      );
      assert.equal(await exists(victim.keyFile), false, 'no key file saved');
    } finally {
      await hostile.close();
    }
    // The secret was not spent: through the honest gateway the same invitation enrols, and pins the bundle.
    const enrolled = await victim.run([...enrol(gw.url), '--json']);
    assert.equal(enrolled.code, 0, enrolled.stderr);
    const keyFile = JSON.parse(await readFile(victim.keyFile, 'utf8')) as { trustBundle?: unknown };
    const pinned = verifyTrustBundle(keyFile.trustBundle, invited.trustDigest);
    assert.equal(trustBundleDigest(pinned), invited.trustDigest);
  });

  it('a hostile gateway that prepares a proposal for another channel, or backdated, gets no signature', async () => {
    let change: ((header: common.ChannelHeader) => void) | undefined;
    const hostile = await startHostileGateway(gw.url, {
      response: (method, path, _status, body) => {
        if (!change || method !== 'POST' || path !== '/api/transactions') return undefined;
        const answer = JSON.parse(body.toString()) as { stage: string; message: string };
        if (answer.stage !== 'proposal') return undefined;
        const proposal = peer.Proposal.deserializeBinary(Buffer.from(answer.message, 'base64'));
        const header = common.Header.deserializeBinary(proposal.getHeader_asU8());
        const channelHeader = common.ChannelHeader.deserializeBinary(header.getChannelHeader_asU8());
        change(channelHeader);
        header.setChannelHeader(channelHeader.serializeBinary());
        proposal.setHeader(header.serializeBinary());
        answer.message = Buffer.from(proposal.serializeBinary()).toString('base64');
        return Buffer.from(JSON.stringify(answer));
      },
    });
    // The technologist's workstation, pointed at the hostile gateway.
    const viaHostile = join(dir, 'tech1-via-hostile.json');
    const techFile = JSON.parse(await readFile(tech.keyFile, 'utf8')) as Record<string, unknown>;
    await writeFile(viaHostile, JSON.stringify({ ...techFile, gatewayUrl: hostile.url }), { mode: 0o600 });
    const env = { MEDSHARE_KEY_FILE: viaHostile };
    try {
      await tech.login(env);
      assert.equal((await tech.run(['whoami', '--json'], env)).code, 0, 'honest proposals pass through');
      const cases: [string, (header: common.ChannelHeader) => void, RegExp][] = [
        [
          'another channel',
          (h) => {
            h.setChannelId('shadow-channel');
          },
          /channel shadow-channel instead of medshare/,
        ],
        [
          'a week back',
          (h) => {
            // google.protobuf.Timestamp, whose declarations (@types/google-protobuf) are not installed.
            const at = h.getTimestamp() as unknown as
              { getSeconds(): number; setSeconds(seconds: number): void } | undefined;
            assert.ok(at);
            at.setSeconds(at.getSeconds() - 7 * 86_400);
          },
          /timestamp is \d+ s from this device's clock/,
        ],
      ];
      for (const [what, rewrite, reason] of cases) {
        change = rewrite;
        const signaturesBefore = hostile.seen.filter((e) => e.path.endsWith('/signatures')).length;
        const result = await tech.run(['whoami'], env);
        refusedWith(result, 1, 'SIGNING_REQUEST_MISMATCH');
        assert.match(result.stderr, reason, what);
        assert.equal(
          hostile.seen.filter((e) => e.path.endsWith('/signatures')).length,
          signaturesBefore,
          `${what}: no signature was sent`,
        );
      }
    } finally {
      await hostile.close();
    }
  });
  it('a trust update is pinned only with the approvals of a majority of the organisations’ admins', async () => {
    // A copy of the patient's workstation, so that the other tests keep the original trust.
    const copy = join(dir, 'patient1-trust.json');
    await copyFile(patient.keyFile, copy);
    const env = { MEDSHARE_KEY_FILE: copy };
    const shown = await patient.json<{ trustDigest: string }>(['trust', 'show'], env);
    const updateFile = join(dir, 'trust-update.json');
    const admin = (args: string[]) => runCli(GATEWAY_ADMIN_CLI, args, gatewayEnvOf(gw, network.plan));
    const proposed = await admin([
      'trust-update',
      'propose',
      '--previous',
      shown.trustDigest,
      '--out',
      updateFile,
      '--json',
    ]);
    assert.equal(proposed.code, 0, proposed.stderr);
    // The change under approval: the consortium renamed (the roots stay, so the device still verifies peers).
    const update = JSON.parse(await readFile(updateFile, 'utf8')) as { bundle: { consortium: string } };
    update.bundle.consortium = 'MedShare Consortium (renamed)';
    await writeFile(updateFile, JSON.stringify(update));
    const approve = (key: string) =>
      admin([
        'trust-update',
        'approve',
        '--file',
        updateFile,
        '--msp',
        org(key).mspId,
        '--admin-msp-dir',
        orgAdmin(org(key)).msp,
        '--json',
      ]);

    assert.equal((await approve('hospital-a')).code, 0);
    refusedWith(
      await patient.run(['trust', 'update', '--file', updateFile], env),
      1,
      'TRUST_UPDATE_UNAPPROVED',
    );
    assert.equal(
      (await patient.json<{ trustDigest: string }>(['trust', 'show'], env)).trustDigest,
      shown.trustDigest,
      'nothing pinned',
    );

    assert.equal((await approve('hospital-b')).code, 0);
    const updated = await patient.json<{ previous: string; trustDigest: string }>(
      ['trust', 'update', '--file', updateFile],
      env,
    );
    assert.equal(updated.previous, shown.trustDigest);
    assert.notEqual(updated.trustDigest, shown.trustDigest);
    const after = await patient.json<{ trustDigest: string; bundle: { consortium: string } }>(
      ['trust', 'show'],
      env,
    );
    assert.deepEqual(
      [after.trustDigest, after.bundle.consortium],
      [updated.trustDigest, 'MedShare Consortium (renamed)'],
    );
    // The same update again no longer starts from the pinned bundle.
    refusedWith(
      await patient.run(['trust', 'update', '--file', updateFile], env),
      1,
      'TRUST_BUNDLE_MISMATCH',
    );
  });
});
