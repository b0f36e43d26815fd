import assert from 'node:assert/strict';
import { createHash, createPrivateKey, randomBytes } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  approveTrustUpdate,
  createCsr,
  enrolDevice,
  generateSigningKeyPair,
  confirmErasure,
  generateEncryptionKeyPair,
  contributeKeyShare,
  loadDeviceIdentity,
  openDatabase,
  openRecord,
  readBundle,
  samplePictures,
  signRegistration,
  syntheticStudy,
  trustBundleDigest,
  trustBundleOf,
  type TrustUpdate,
} from 'medshare-gateway-app';
import { unzipSync } from 'fflate';
import { orgAdmin, type OrgPlan } from 'medshare-network';
import type { Browser, Page } from 'playwright-core';
import {
  launchChromium,
  openUserBrowser,
  submitPassword,
  type SentRequest,
  type UserBrowser,
} from '../support/browser';
import {
  emergencyKeySetOf,
  enrolTestUser,
  freePort,
  freshCode,
  httpDeviceAgent,
  operatorOf,
  startDeviceAgent,
  startGateway,
  type RunningGateway,
  type TestUser,
} from '../support/medshare';
import { startTestNetwork, type TestNetwork } from '../support/network';
import { rewriteAnswer } from '../support/proof-tampering';
import { writeDicom } from 'medshare-gateway-app/dist/viewer/testing';
import { readDicomTags, readDicomText } from 'medshare-gateway-app/dist/viewer';
import { dicomSamples } from '../support/dicom-samples';
import { type Variant, VARIANTS, compare, reference } from '../support/dicom-variants';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

const CT_STUDY = { slices: 12, modality: 'CT', transferSyntax: 'explicit-le' } as const;
/** One slice in each encoding a PACS sends, made by dcmtk, GDCM and OpenJPH from a 12-bit MR series. */
const CODEC_VARIANTS = [
  'rle',
  'jpeg-extended-12',
  'jpeg-lossless-14',
  'jpeg-lossless-sv1',
  'jpeg-ls-lossless',
  'jpeg-ls-near',
  'jpeg-2000-lossless',
  'jpeg-2000-lossy',
  'htj2k-lossless',
  'deflated',
  'explicit-be',
] as const;
const CODEC_STUDY = { slices: CODEC_VARIANTS.length, modality: 'MR' } as const;
const JPEG_STUDY = { slices: 4, modality: 'MR', transferSyntax: 'jpeg-baseline' } as const;
/** A PNG and a JPEG photo, sent as records of one file each and shown as they are. */
const PICTURES = samplePictures({ width: 160, height: 120, seed: 11 });

/** Windows of a file's pixel data varied enough that they cannot occur by chance elsewhere. */
function distinctiveWindows(file: Uint8Array): Buffer[] {
  const windows: Buffer[] = [];
  for (let at = Math.floor(file.length / 2); at + 48 <= file.length && windows.length < 4; at += 997) {
    const window = Buffer.from(file.subarray(at, at + 48));
    if (new Set(window).size >= 16) windows.push(window);
  }
  return windows;
}

/** A `datetime-local` value for `date` in this machine's zone (Chromium runs in the same one). */
function localDateTime(date: Date): string {
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A code that is certainly wrong: every digit of the right one shifted. */
const wrongCode = (code: string) => code.replace(/\d/g, (d) => String((Number(d) + 5) % 10));

/**
 * What this browser's key store holds: for each stored identity, whether its
 * signing and encryption private keys are extractable (they must never be).
 */
function storedKeys(page: Page): Promise<boolean[][]> {
  return page.evaluate(async () => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const open = indexedDB.open('medshare');
      open.onsuccess = () => {
        resolve(open.result);
      };
      open.onerror = () => {
        reject(new Error(String(open.error)));
      };
    });
    if (!db.objectStoreNames.contains('identities')) return [];
    const all = await new Promise<{ signingKey: CryptoKey; encryption: { privateKey: CryptoKey } }[]>(
      (resolve) => {
        const get = db.transaction('identities').objectStore('identities').getAll();
        get.onsuccess = () => {
          resolve(get.result as never);
        };
      },
    );
    return all.map((i) => [i.signingKey.extractable, i.encryption.privateKey.extractable]);
  });
}

/** A person the test drives through the web UI only. */
interface BrowserUser {
  name: string;
  totpSecret: string;
  lastStep: { value: number };
  password: string;
}

/**
 * The whole clinical story in Debian's Chromium, against a real Fabric
 * network, IPFS Cluster, gateway and device agents: enrolment, sending a
 * study, viewing, sharing, revoking, break-glass and audit, and the refusals
 * on the way. Each step leaves a screenshot in test-results/web.
 */
void describe('web UI end to end (Chromium)', { timeout: 900_000 }, () => {
  let network: TestNetwork;
  let gw: RunningGateway;
  let browser: Browser;
  const agents: { close(): Promise<void>; url: string }[] = [];
  const agentUrl = new Map<string, string>();
  const agentPort = new Map<string, number>();
  const studyFiles: string[] = [];
  const jpegFiles: string[] = [];
  const codecFiles: { variant: Variant; path: string }[] = [];
  const rgbFile: { variant?: Variant; path: string } = { path: '' };
  /** A synthetic report in the same study, as an Encapsulated PDF object. */
  const pdfFile = { path: '', pdf: new TextEncoder().encode('%PDF-1.4\n% a synthetic report\n%%EOF\n') };
  const pictureFiles: string[] = [];
  const startedAt = new Date();
  const operators = new Map<string, TestUser>();
  const requests: SentRequest[] = [];
  /** Every byte sent to the gateway, per TCP connection. */
  const wire = new Map<number, Buffer>();
  const studyDir = { path: '' };
  const plaintexts: Uint8Array[] = [];
  /** Hospital A's two operators: its emergency key set's holders. */
  let holdersA: TestUser[] = [];
  let patient: TestUser;
  let doctor: TestUser;
  let erDoctor: TestUser;
  let auditor: TestUser;
  const tech: BrowserUser = { name: 'tech.web', totpSecret: '', lastStep: { value: 0 }, password: '' };
  let recordId = '';
  let jpegRecordId = '';
  let codecRecordId = '';
  const pictureRecordIds: string[] = [];
  let techPage: UserBrowser;
  let patientPage: UserBrowser;
  let doctorPage: UserBrowser;

  const op = (key: string): TestUser => operators.get(key) ?? assert.fail(`no operator for ${key}`);
  const org = (key: string): OrgPlan =>
    network.plan.peerOrgs.find((o) => o.key === key) ?? assert.fail(`no organisation ${key}`);

  before(async () => {
    network = await startTestNetwork('raft');
    // The page may only reach the device agents the gateway names (CSP), so their ports come first.
    const keys = ['hospital-a', 'hospital-b', 'imaging'];
    for (const key of keys) agentPort.set(key, await freePort());
    gw = await startGateway(
      network.plan,
      {
        GATEWAY_DEVICE_AGENTS: keys
          .map((key) => `${org(key).mspId}=http://127.0.0.1:${String(agentPort.get(key))}`)
          .join(','),
      },
      (connection, chunk) => {
        wire.set(connection, Buffer.concat([wire.get(connection) ?? Buffer.alloc(0), chunk]));
      },
    );
    for (const key of keys) {
      const operator = await operatorOf(gw, org(key), httpDeviceAgent('http://127.0.0.1:1'));
      const agent = await startDeviceAgent(gw, operator, `device.${key}`, [gw.url], agentPort.get(key));
      agents.push(agent);
      agentUrl.set(key, agent.url);
      operator.agent = httpDeviceAgent(agent.url);
      operators.set(key, operator);
    }
    const secondA = await operatorOf(gw, org('hospital-a'), op('hospital-a').agent, { second: true });
    holdersA = [op('hospital-a'), secondA];
    await emergencyKeySetOf(op('hospital-a'), secondA);
    patient = await enrolTestUser(gw, op('hospital-a'), 'patient.web', 'patient', op('hospital-a').agent);
    doctor = await enrolTestUser(gw, op('hospital-b'), 'doctor.web', 'doctor', op('hospital-b').agent);
    erDoctor = await enrolTestUser(gw, op('hospital-b'), 'er-doctor.web', 'doctor', op('hospital-b').agent);
    auditor = await enrolTestUser(gw, op('imaging'), 'auditor.web', 'auditor', op('imaging').agent);

    studyDir.path = await mkdtemp(join(tmpdir(), 'medshare-study-'));
    for (const file of syntheticStudy({ ...CT_STUDY, rows: 128, columns: 128, bits: 16, seed: 7 })) {
      await writeFile(join(studyDir.path, file.name), file.bytes);
      studyFiles.push(join(studyDir.path, file.name));
      plaintexts.push(file.bytes);
    }
    for (const file of syntheticStudy({ ...JPEG_STUDY, rows: 128, columns: 128, bits: 8, seed: 9 })) {
      const path = join(studyDir.path, `jpeg-${file.name}`);
      await writeFile(path, file.bytes);
      jpegFiles.push(path);
      plaintexts.push(file.bytes);
    }
    const mr = syntheticStudy({
      slices: CODEC_VARIANTS.length,
      rows: 64,
      columns: 64,
      bits: 16,
      modality: 'MR',
      transferSyntax: 'explicit-le',
      seed: 13,
    });
    for (const [i, name] of CODEC_VARIANTS.entries()) {
      const variant = VARIANTS.find((v) => v.name === name) ?? assert.fail(`no variant ${name}`);
      const slice = mr[i] ?? assert.fail('no slice');
      const source = join(studyDir.path, `mr-source-${String(i)}.dcm`);
      await writeFile(source, slice.bytes);
      const sample = { name: 'mr-unsigned-12', bytes: slice.bytes, bitsStored: 12, colour: false, frames: 1 };
      const path = join(studyDir.path, `mr-${name}.dcm`);
      await variant.encode(source, path, sample, studyDir.path);
      codecFiles.push({ variant, path });
      plaintexts.push(new Uint8Array(await readFile(path)));
    }
    // A second series: RGB compressed as JPEG without the YCbCr transform or an Adobe marker.
    const rgb = dicomSamples().find((d) => d.name === 'rgb-planar-0') ?? assert.fail('no RGB sample');
    const rgbVariant = VARIANTS.find((v) => v.name === 'jpeg-baseline-rgb') ?? assert.fail('no variant');
    const rgbSource = join(studyDir.path, 'rgb-source.dcm');
    await writeFile(rgbSource, rgb.bytes);
    rgbFile.path = join(studyDir.path, 'rgb-jpeg-baseline-rgb.dcm');
    await rgbVariant.encode(rgbSource, rgbFile.path, rgb, studyDir.path);
    rgbFile.variant = rgbVariant;
    plaintexts.push(new Uint8Array(await readFile(rgbFile.path)));
    pdfFile.path = join(studyDir.path, 'report.dcm');
    const report = writeDicom(
      {
        SOPClassUID: '1.2.840.10008.5.1.4.1.1.104.1',
        PatientName: 'SYNTHETIC^PATIENT',
        DocumentTitle: 'Synthetic report',
        MIMETypeOfEncapsulatedDocument: 'application/pdf',
        EncapsulatedDocument: [pdfFile.pdf.slice().buffer],
        _vrMap: { EncapsulatedDocument: 'OB' },
      },
      '1.2.840.10008.1.2.1',
    );
    await writeFile(pdfFile.path, report);
    plaintexts.push(report);
    for (const file of PICTURES.files) {
      const path = join(studyDir.path, file.name);
      await writeFile(path, file.bytes);
      pictureFiles.push(path);
      plaintexts.push(file.bytes);
    }
    browser = await launchChromium();
  });

  after(async () => {
    await (browser as Browser | undefined)?.close();
    for (const agent of agents) await agent.close();
    await (gw as RunningGateway | undefined)?.close();
    await (network as TestNetwork | undefined)?.down();
  });

  async function signIn(page: Page, user: BrowserUser, mspId: string): Promise<void> {
    await submitPassword(page, { ...user, mspId });
    await page.getByLabel('Authenticator code').fill(await freshCode(user.totpSecret, user.lastStep));
    await page.getByRole('button', { name: 'Verify code' }).click();
  }

  async function restoreKeys(page: Page): Promise<void> {
    await page.getByLabel('Backup passphrase').fill('a passphrase for tests');
    await page.getByRole('button', { name: 'Restore keys' }).click();
    await page.getByRole('heading', { name: 'Records', exact: true }).waitFor();
  }

  /**
   * Enrols `user` on `page` with the operator's one-time secret, as a person does: password, backup
   * passphrase, keys made in the browser, the QR code and the first code. Ends on the QR code step.
   */
  async function enrolInBrowser(
    page: Page,
    user: BrowserUser,
    mspId: string,
    secret: string,
    trust: string,
  ): Promise<void> {
    await page.goto('/#/enrol');
    user.password = `correct horse ${randomBytes(6).toString('base64url')} staple`;
    await page.getByLabel('Organisation').selectOption(mspId);
    await page.getByLabel('User name').fill(user.name);
    await page.getByLabel('Trust code').fill(trust);
    await page.getByLabel('Enrolment secret').fill(secret);
    await page.getByLabel('Password', { exact: true }).fill(user.password);
    await page.getByLabel('Confirm password').fill(user.password);
    await page.getByLabel('Backup passphrase', { exact: true }).fill('a passphrase for tests');
    await page.getByLabel('Confirm backup passphrase').fill('a passphrase for tests');
    await page.getByRole('button', { name: 'Create my keys' }).click();
    const qr = page.getByRole('img', { name: 'QR code for your authenticator app' });
    await qr.waitFor();
    user.totpSecret = (await page.getByTestId('totp-secret').textContent())?.replace(/\s+/g, '') ?? '';
    assert.match(user.totpSecret, /^[A-Z2-7]{16,}$/);
  }

  /** Confirms the enrolment's first code and continues to the user's home page. */
  async function finishEnrolmentInBrowser(page: Page, user: BrowserUser): Promise<void> {
    await page.getByLabel('Authenticator code').fill(await freshCode(user.totpSecret, user.lastStep));
    await page.getByRole('button', { name: 'Confirm and finish' }).click();
    assert.match((await page.getByTestId('registration-tx').textContent()) ?? '', /[0-9a-f]{64}/);
  }

  it('a technologist enrols in the browser: keys made here, TOTP by QR code', async () => {
    const operator = op('imaging');
    const registration = await signRegistration(operator.keys.signer, {
      caName: operator.org.ca.name,
      enrollmentId: tech.name,
      role: 'technologist',
    });
    const { secret } = await operator.client.registerUser(registration);
    techPage = await openUserBrowser(browser, gw.url, 'technologist', requests);
    const page = techPage.page;
    // The trust code the operator's key file pinned, which their invitations carry.
    const trust = trustBundleDigest(await trustBundleOf(network.plan));
    await enrolInBrowser(page, tech, org('imaging').mspId, secret, trust);
    await techPage.shot('enrol-totp-qr');
    await finishEnrolmentInBrowser(page, tech);
    await techPage.shot('enrol-done');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Records', exact: true }).waitFor();
    // The private keys stayed in the browser: non-extractable CryptoKeys in IndexedDB.
    const extractable = await storedKeys(page);
    assert.deepEqual(extractable, [[false, false]]);
  });

  /** Sends files from the technologist's page to the patient as one record; its id. */
  async function sendStudy(
    files: string[],
    step: string,
    options: { deidentify?: boolean } = {},
  ): Promise<string> {
    const page = techPage.page;
    await page.goto('/#/inbox');
    await page.goto('/#/send');
    await page.getByLabel('Find recipient').fill('patient.web');
    await page.getByLabel('Recipient', { exact: true }).selectOption(patient.keys.userId);
    await page.getByTestId('recipient-fingerprint').waitFor();
    await page.getByLabel('Files').setInputFiles(files);
    if (options.deidentify) await page.getByLabel(/De-identify on this device/).check();
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await page.getByTestId('send-result').waitFor({ timeout: 120_000 });
    const id = (await page.getByTestId('record-id').textContent())?.trim() ?? '';
    assert.match(id, /^[A-Za-z0-9_-]{16,64}$/);
    assert.match((await page.getByTestId('tx-id').textContent()) ?? '', /[0-9a-f]{64}/);
    await techPage.shot(step);
    return id;
  }

  it('the page checks files before anything is encrypted: an empty file and a random one named .dcm are refused', async () => {
    const page = techPage.page;
    await page.goto('/#/send');
    const empty = join(studyDir.path, 'empty.dcm');
    const random = join(studyDir.path, 'random.dcm');
    await writeFile(empty, '');
    await writeFile(
      random,
      Uint8Array.from({ length: 4096 }, (_, i) => (i * 151 + 7) % 256),
    );
    await page.getByLabel('Files').setInputFiles([empty, random]);
    const refused = page.getByTestId('refused-files');
    await refused.waitFor();
    assert.deepEqual(
      await refused.locator('li').evaluateAll((items) => items.map((li) => li.getAttribute('data-code'))),
      ['EMPTY_FILE', 'NOT_DICOM'],
    );
    assert.match((await refused.textContent()) ?? '', /random\.dcm is not a DICOM Part 10 file/);
    assert.equal(await page.getByTestId('chosen-file').count(), 0, 'nothing is chosen to send');
    await techPage.shot('technologist-files-refused');
  });

  it('the technologist sends synthetic CT and JPEG-baseline studies, a PNG and a JPEG photo to the patient, encrypted in the browser', async () => {
    recordId = await sendStudy(studyFiles, 'technologist-sent-ct-study');
    jpegRecordId = await sendStudy(jpegFiles, 'technologist-sent-jpeg-study');
    codecRecordId = await sendStudy(
      [...codecFiles.map((f) => f.path), rgbFile.path, pdfFile.path],
      'technologist-sent-study-in-every-encoding',
    );
    for (const file of pictureFiles)
      pictureRecordIds.push(await sendStudy([file], `technologist-sent-picture`));
  });

  it('the technologist de-identifies a study in the browser before it is encrypted; a photo cannot be, and stops the send', async () => {
    const page = techPage.page;
    await page.goto('/#/send');
    await page.getByLabel('Files').setInputFiles([studyFiles[0] ?? '', pictureFiles[0] ?? '']);
    await page.getByLabel(/De-identify on this device/).check();
    await page.getByLabel('Find recipient').fill('patient.web');
    await page.getByLabel('Recipient', { exact: true }).selectOption(patient.keys.userId);
    await page.getByTestId('recipient-fingerprint').waitFor();
    await page.getByRole('button', { name: 'Encrypt and send' }).click();
    await page.getByText('Cannot de-identify this file').waitFor();
    await techPage.shot('technologist-deidentify-refused');
    const uploadsBefore = requests.filter(
      (r) => r.method === 'POST' && new URL(r.url).pathname === '/api/content',
    );

    const id = await sendStudy(studyFiles.slice(0, 2), 'technologist-sent-deidentified-study', {
      deidentify: true,
    });
    const uploadsAfter = requests.filter(
      (r) => r.method === 'POST' && new URL(r.url).pathname === '/api/content',
    );
    assert.equal(uploadsAfter.length, uploadsBefore.length + 1, 'the refused send uploaded nothing');
    // What the patient's device decrypts: the Basic Profile applied, one replaced study UID.
    const opened = await openRecord(patient.client, patient.keys, patient.agent, id, 'PATRQT');
    const studies = new Set<string>();
    let count = 0;
    for await (const entry of readBundle(opened.plaintext)) {
      const tags = readDicomTags(entry.bytes);
      assert.equal(tags.patientName, undefined, "Patient's Name emptied");
      assert.notEqual(tags.patientId, 'SYN-0001');
      assert.notEqual(tags.institutionName, 'MedShare Synthetic');
      assert.equal(readDicomText(entry.bytes)('x00120062'), 'YES', 'Patient Identity Removed');
      studies.add(tags.studyInstanceUid ?? '');
      count++;
    }
    assert.equal(count, 2);
    assert.equal(studies.size, 1);
    // The records list shows what the sender's device sealed: the study description is among what
    // de-identification removes, the modality and the count are not.
    await page.goto('/#/inbox');
    const label = (recordId: string) =>
      page.locator(`[data-testid="record-row"][data-record-id="${recordId}"] [data-testid="record-label"]`);
    assert.equal(await label(recordId).textContent(), 'Synthetic phantom study · CT · 2024-01-31 · 12 files');
    assert.equal(await label(id).textContent(), 'CT · 2 files');
    await techPage.shot('technologist-records-with-labels');
    const original = readDicomTags(new Uint8Array(await readFile(studyFiles[0] ?? ''))).studyInstanceUid;
    assert.ok(!studies.has(original ?? ''), 'the study UID was replaced');
  });

  it('a hostile gateway that swaps the recipient’s key is refused in the browser before anything leaves (ANSWER_UNVERIFIED)', async () => {
    const page = techPage.page;
    const attacker = await generateEncryptionKeyPair();
    const swap = (text: string) => {
      const user = JSON.parse(text) as { encryptionKey: { spki: string } };
      user.encryptionKey.spki = attacker.publicKeySpki;
      return JSON.stringify(user);
    };
    // The gateway, as the page sees it: every registry answer carries the attacker's key, in the
    // gateway's word and inside the endorsed proof.
    const signatures = '**/api/transactions/*/signatures';
    await page.route(signatures, async (route) => {
      const response = await route.fetch();
      const answer = (await response.json()) as {
        stage: string;
        fn?: string;
        result?: string;
        proofs?: string[];
      };
      if (answer.stage === 'done' && answer.fn === 'registry:GetUser') {
        answer.result = swap(answer.result ?? '');
        answer.proofs = answer.proofs?.map((p) => rewriteAnswer(p, swap));
      }
      await route.fulfill({ response, json: answer });
    });
    const before = requests.length;
    try {
      await page.goto('/#/inbox');
      await page.goto('/#/send');
      await page.getByLabel('Find recipient').fill('patient.web');
      await page.getByLabel('Recipient', { exact: true }).selectOption(patient.keys.userId);
      await page.getByLabel('Files').setInputFiles(pictureFiles.slice(0, 1));
      const refusal = page.locator('.refusal[data-code="ANSWER_UNVERIFIED"]').first();
      await refusal.waitFor();
      assert.match((await refusal.textContent()) ?? '', /Answer refused by this device/);
      const send = page.getByRole('button', { name: 'Encrypt and send' });
      if (await send.isEnabled()) {
        await send.click();
        await page.locator('.refusal[data-code="ANSWER_UNVERIFIED"]').nth(1).waitFor();
      }
      await techPage.shot('hostile-gateway-key-swap-refused');
    } finally {
      await page.unroute(signatures);
    }
    const sent = requests.slice(before).filter((r) => r.user === 'technologist');
    assert.deepEqual(
      sent.filter((r) => r.url.includes('/api/content')).map((r) => r.url),
      [],
      'no ciphertext left the browser',
    );
    assert.ok(
      !sent.some((r) => /"transfer:(DepositEnvelope|Send)"/.test(r.body?.toString() ?? '')),
      'no envelope either',
    );
  });

  it('a hostile gateway that enrols a key of its own is refused in the browser, and nothing is kept (CERT_MISMATCH)', async () => {
    const operator = op('hospital-b');
    const name = 'victim.web';
    const registration = await signRegistration(operator.keys.signer, {
      caName: operator.org.ca.name,
      enrollmentId: name,
      role: 'doctor',
    });
    const { secret } = await operator.client.registerUser(registration);
    const victim = await openUserBrowser(browser, gw.url, 'victim', requests);
    const page = victim.page;
    // The attacker swaps the browser's certificate request for one of its own key, same name: the CA
    // issues a genuine certificate, for the attacker's key.
    const attackerCsr = await createCsr(await generateSigningKeyPair(true), name);
    await page.route('**/api/enrolments', async (route) => {
      const body = JSON.parse(route.request().postData() ?? '{}') as Record<string, unknown>;
      await route.continue({ postData: JSON.stringify({ ...body, csr: attackerCsr }) });
    });
    try {
      const user: BrowserUser = { name, totpSecret: '', lastStep: { value: 0 }, password: '' };
      await page.goto('/#/enrol');
      user.password = `correct horse ${randomBytes(6).toString('base64url')} staple`;
      await page.getByLabel('Organisation').selectOption(org('hospital-b').mspId);
      await page.getByLabel('User name').fill(name);
      await page.getByLabel('Trust code').fill(trustBundleDigest(await trustBundleOf(network.plan)));
      await page.getByLabel('Enrolment secret').fill(secret);
      await page.getByLabel('Password', { exact: true }).fill(user.password);
      await page.getByLabel('Confirm password').fill(user.password);
      await page.getByLabel('Backup passphrase', { exact: true }).fill('a passphrase for tests');
      await page.getByLabel('Confirm backup passphrase').fill('a passphrase for tests');
      await page.getByRole('button', { name: 'Create my keys' }).click();
      const refusal = page.locator('.refusal[data-code="CERT_MISMATCH"]');
      await refusal.waitFor();
      assert.match((await refusal.textContent()) ?? '', /Certificate refused by this device/);
      await victim.shot('hostile-gateway-enrolment-refused');
    } finally {
      await page.unroute('**/api/enrolments');
    }
    const stored = (await storedKeys(page)).length;
    assert.equal(stored, 0, 'no keys were kept in this browser');
    await victim.context.close();
  });

  it('a wrong authenticator code is refused with its reason', async () => {
    patientPage = await openUserBrowser(browser, gw.url, 'patient', requests);
    const page = patientPage.page;
    await submitPassword(page, { ...patient, mspId: org('hospital-a').mspId });
    await page
      .getByLabel('Authenticator code')
      .fill(wrongCode(await freshCode(patient.totpSecret, { value: 0 })));
    await page.getByRole('button', { name: 'Verify code' }).click();
    const refusal = page.locator('.refusal[data-code="TOTP_INVALID"]');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /code/i);
    await patientPage.shot('patient-wrong-otp-refused');
  });

  it('the patient signs in with TOTP, restores keys from the backup and views the study', async () => {
    const page = patientPage.page;
    await page.getByLabel('Authenticator code').fill(await freshCode(patient.totpSecret, patient.lastStep));
    await page.getByRole('button', { name: 'Verify code' }).click();
    await restoreKeys(page);
    await page.locator(`[data-testid="record-row"][data-record-id="${recordId}"]`).waitFor();
    await patientPage.shot('patient-inbox');
    await openAndView(page, recordId, CT_STUDY);
    await patientPage.shot('patient-views-ct-study');
    await usesImageTools(page);
    await openAndView(page, jpegRecordId, JPEG_STUDY);
    await patientPage.shot('patient-views-jpeg-study');
    await openAndView(page, codecRecordId, CODEC_STUDY);
    await viewsAsReferenceDecoders(page);
    for (const [index, id] of pictureRecordIds.entries()) {
      await page.goto(`/#/records/${id}`);
      await page.getByRole('button', { name: 'Open record' }).click();
      await page.getByTestId('signature-verified').waitFor();
      const image = page.getByTestId('record-image');
      const size = await image.evaluate(async (img) => {
        await (img as HTMLImageElement).decode();
        return [(img as HTMLImageElement).naturalWidth, (img as HTMLImageElement).naturalHeight];
      });
      assert.deepEqual(size, [PICTURES.width, PICTURES.height], 'the picture is shown as it was sent');
      await patientPage.shot(`patient-views-picture-${String(index + 1)}`);
    }
  });

  /** Reads a pixel in HU, measures a length in millimetres, zooms and resets, on the open CT study. */
  async function usesImageTools(page: Page): Promise<void> {
    const viewer = page.getByTestId('viewer');
    const box = (await viewer.boundingBox()) ?? assert.fail('the canvas has no box');
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    assert.match((await page.getByTestId('pixel-readout').textContent()) ?? '', /^x \d+, y \d+: -?\d+ HU$/);
    await page.getByRole('button', { name: 'Measure' }).click();
    await page.mouse.move(box.x + box.width * 0.1, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.9, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    // 80% of 128 columns, 350 mm across: 280 mm.
    const measured = (await page.getByTestId('measurement').textContent()) ?? '';
    const mm = Number(/Length ([\d.]+) mm/.exec(measured)?.[1]);
    assert.ok(Math.abs(mm - 280) < 280 * 0.02, `measured ${measured}`);
    await patientPage.shot('patient-measures-ct');
    await page.getByRole('button', { name: 'Zoom' }).click();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2 - 100, { steps: 5 });
    await page.mouse.up();
    assert.ok(Number(await viewer.getAttribute('data-zoom')) > 1.5, 'zoomed in');
    await page.getByRole('button', { name: 'Reset view' }).click();
    assert.equal(await viewer.getAttribute('data-zoom'), '1');
    await page.getByRole('button', { name: 'Window', exact: true }).click();
  }

  /**
   * Goes through the open study of one slice per encoding: each slice is shown (WebAssembly decoders under
   * the page's CSP) and its canvas matches what the encoding's reference decoder renders through the same
   * window.
   */
  async function viewsAsReferenceDecoders(page: Page): Promise<void> {
    const viewer = page.getByTestId('viewer');
    await viewer.focus();
    await page.keyboard.press('Home');
    for (const [i, { variant, path }] of codecFiles.entries()) {
      if (i > 0) await page.keyboard.press('ArrowDown');
      await page.waitForFunction(
        (n) => document.querySelector('[data-testid="viewer"]')?.getAttribute('data-shown-slice') === n,
        String(i + 1),
      );
      const shown = await viewer.evaluate((canvas) => {
        const c = canvas as HTMLCanvasElement;
        const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? [];
        return {
          rgba: Array.from(data),
          center: Number(c.getAttribute('data-window-center')),
          width: Number(c.getAttribute('data-window-width')),
        };
      });
      const theirs = await reference(variant, path, studyDir.path, 0, {
        center: shown.center,
        width: shown.width,
      });
      const { max } = compare(new Uint8ClampedArray(shown.rgba), theirs);
      assert.ok(
        max <= (variant.lossy ? 4 : 1),
        `${variant.name}: the canvas differs by up to ${String(max)}`,
      );
      await patientPage.shot(`patient-views-${variant.name}`);
    }
    // The study's other series, chosen by its thumbnail.
    const series = page.getByTestId('series');
    assert.equal(await series.count(), 2, 'two series listed');
    await series.nth(1).click();
    await page.waitForFunction(
      () => document.querySelector('[data-testid="viewer"]')?.getAttribute('data-shown-slice') === '1',
    );
    const rgba = await viewer.evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      return Array.from(c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? []);
    });
    const variant = rgbFile.variant ?? assert.fail('no RGB variant');
    const theirs = await reference(variant, rgbFile.path, studyDir.path, 0, 'none');
    const { max } = compare(new Uint8ClampedArray(rgba), theirs);
    assert.ok(max <= 4, `RGB JPEG without colour transform: the canvas differs by up to ${String(max)}`);
    await patientPage.shot('patient-views-rgb-series');
    await series.nth(0).click();
    // The report the study carries, opened from the page as the PDF it is.
    const link = page.getByTestId('record-document');
    assert.match((await link.textContent()) ?? '', /Open Synthetic report \(PDF\)/);
    assert.match((await link.getAttribute('href')) ?? '', /^blob:/);
    assert.equal(await link.getAttribute('target'), '_blank');
    const [saved] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('save-document').click(),
    ]);
    assert.equal(saved.suggestedFilename(), 'Synthetic_report.pdf');
    assert.deepEqual(new Uint8Array(await readFile(await saved.path())), pdfFile.pdf);
    await savesAsSent(page);
  }

  /** The patient saves the study as the files that were sent (a zip) and the image shown as a PNG. */
  async function savesAsSent(page: Page): Promise<void> {
    const sent = [...codecFiles.map((f) => f.path), rgbFile.path, pdfFile.path];
    const [zipped] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: `Save the ${String(sent.length)} files (.zip)` }).click(),
    ]);
    assert.equal(zipped.suggestedFilename(), `record-${codecRecordId}.zip`);
    const files = unzipSync(new Uint8Array(await readFile(await zipped.path())));
    assert.equal(Object.keys(files).length, sent.length);
    for (const path of sent) {
      const name = Object.keys(files).find((n) => path.endsWith(n)) ?? assert.fail(`${path} not in the zip`);
      assert.equal(sha256(files[name] ?? new Uint8Array()), sha256(await readFile(path)), `${name} as sent`);
    }
    const [png] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Save this image (PNG)' }).click(),
    ]);
    const bytes = await readFile(await png.path());
    assert.deepEqual([...bytes.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
    assert.deepEqual([bytes.readUInt32BE(16), bytes.readUInt32BE(20)], [64, 64], 'at the image size');
  }

  /** Opens a record; `purpose` is chosen where the role has a choice (a patient always opens with PATRQT). */
  async function openAndView(
    page: Page,
    id: string,
    study: { slices: number; modality: string },
    purpose?: string,
  ): Promise<void> {
    await page.goto(`/#/records/${id}`);
    if (purpose) await page.getByLabel('Purpose', { exact: true }).selectOption(purpose);
    await page.getByRole('button', { name: 'Open record' }).click();
    await page.getByTestId('signature-verified').waitFor();
    const viewer = page.getByTestId('viewer');
    await viewer.waitFor();
    await page.waitForFunction(
      (n) =>
        document.querySelector('[data-testid="viewer"]')?.getAttribute('data-slices-loaded') === String(n),
      study.slices,
    );
    const first = Number(await viewer.getAttribute('data-first-image-bytes'));
    const total = Number(await viewer.getAttribute('data-total-bytes'));
    assert.ok(first > 0 && first < total, `first image after ${first} of ${total} bytes`);
    const tags = (await page.getByTestId('dicom-tags').textContent()) ?? '';
    assert.match(tags, /SYNTHETIC/);
    assert.match(tags, new RegExp(study.modality));
    // The canvas holds a real image, not a blank, once the first slice is decoded and drawn.
    await page.waitForFunction(
      () => document.querySelector('[data-testid="viewer"]')?.getAttribute('data-shown-slice') === '1',
    );
    const distinct = await viewer.evaluate((canvas) => {
      const c = canvas as HTMLCanvasElement;
      const data = c.getContext('2d')?.getImageData(0, 0, c.width, c.height).data ?? new Uint8ClampedArray();
      return new Set(data.filter((_, i) => i % 4 === 0)).size;
    });
    assert.ok(distinct > 8, `the image has ${distinct} grey levels`);
    await viewer.focus();
    await page.keyboard.press('ArrowDown');
    assert.equal(await viewer.getAttribute('data-current-slice'), '2');
    const center = await viewer.getAttribute('data-window-center');
    await page.getByLabel('Window centre').focus();
    await page.keyboard.press('ArrowRight');
    assert.notEqual(await viewer.getAttribute('data-window-center'), center);
  }

  it('a trust update is pinned in the browser only with the approvals of a majority of the organisations’ admins', async () => {
    const page = patientPage.page;
    const pinned = await trustBundleOf(network.plan);
    // The change: the consortium renamed (the roots stay, so this browser still verifies the peers).
    const next = { ...pinned, consortium: 'MedShare Consortium (renamed)' };
    const adminOf = async (key: string) => {
      const files = orgAdmin(org(key));
      return {
        mspId: org(key).mspId,
        certificatePem: await readFile(files.signCert, 'utf8'),
        privateKey: createPrivateKey(await readFile(join(files.msp, 'keystore', 'key.pem'))),
      };
    };
    const proposed: TrustUpdate = { v: 1, previous: trustBundleDigest(pinned), bundle: next, approvals: [] };
    const once = approveTrustUpdate(proposed, await adminOf('hospital-a'));
    const twice = approveTrustUpdate(once, await adminOf('imaging'));
    const onceFile = join(studyDir.path, 'trust-update-one-approval.json');
    const twiceFile = join(studyDir.path, 'trust-update-two-approvals.json');
    await writeFile(onceFile, JSON.stringify(once));
    await writeFile(twiceFile, JSON.stringify(twice));

    await page.goto('/#/settings');
    assert.equal(
      (await page.getByTestId('pinned-trust-code').textContent())?.trim(),
      trustBundleDigest(pinned),
    );
    await page.getByLabel('Trust update file').setInputFiles(onceFile);
    await page.getByRole('button', { name: 'Check and pin the update' }).click();
    await page.locator('.refusal[data-code="TRUST_UPDATE_UNAPPROVED"]').waitFor();
    assert.equal(
      (await page.getByTestId('pinned-trust-code').textContent())?.trim(),
      trustBundleDigest(pinned),
    );

    await page.getByLabel('Trust update file').setInputFiles(twiceFile);
    await page.getByRole('button', { name: 'Check and pin the update' }).click();
    await page.getByTestId('trust-updated').waitFor();
    await page.getByText(trustBundleDigest(next)).first().waitFor();
    // The pinned bundle's facts are shown once the page has reloaded them.
    await page.getByTestId('trust-consortium').filter({ hasText: next.consortium }).waitFor();
    assert.equal((await page.getByTestId('trust-consortium').textContent())?.trim(), next.consortium);
    await patientPage.shot('patient-trust-update-pinned');
  });

  it('the patient shares the study with a doctor at another hospital, who views it', async () => {
    const page = patientPage.page;
    await page.goto(`/#/records/${recordId}`);
    const share = page.getByRole('region', { name: 'Share' });
    await share.getByLabel('Doctor').selectOption(doctor.keys.userId);
    await share.getByLabel('Purpose').selectOption('TREAT');
    await share.getByRole('button', { name: 'Grant access' }).click();
    await page.getByRole('button', { name: /^Revoke doctor\.web/ }).waitFor();
    await patientPage.shot('patient-granted-doctor');

    doctorPage = await openUserBrowser(browser, gw.url, 'doctor', requests, { width: 820, height: 1180 });
    await signIn(doctorPage.page, doctor, org('hospital-b').mspId);
    await restoreKeys(doctorPage.page);
    await doctorPage.page.locator(`[data-testid="record-row"][data-record-id="${recordId}"]`).waitFor();
    await openAndView(doctorPage.page, recordId, CT_STUDY, 'TREAT');
    await doctorPage.shot('doctor-views-shared-study-tablet');
  });

  it('the patient revokes; the doctor is refused, and the refusal is on the ledger', async () => {
    const page = patientPage.page;
    await page.getByRole('button', { name: /^Revoke doctor\.web/ }).click();
    await page.getByRole('button', { name: /^Revoke doctor\.web/ }).waitFor({ state: 'detached' });
    await patientPage.shot('patient-revoked');
    const dpage = doctorPage.page;
    await dpage.goto(`/#/records/${recordId}`);
    await dpage.reload();
    await dpage.getByLabel('Purpose', { exact: true }).selectOption('TREAT');
    await dpage.getByRole('button', { name: 'Open record' }).click();
    const refusal = dpage.locator('.refusal[data-code="ACCESS_DENIED"]');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /[0-9a-f]{64}/);
    await doctorPage.shot('doctor-refused-after-revoke');
  });

  it('another doctor breaks the glass in an emergency and views the study once the key is released', async () => {
    const er = await openUserBrowser(browser, gw.url, 'er-doctor', requests);
    await signIn(er.page, erDoctor, org('hospital-b').mspId);
    await restoreKeys(er.page);
    await er.page.goto('/#/break-glass');
    await er.page.getByLabel('Record ID').fill(recordId);
    await er.page.getByLabel('Reason').selectOption('UNCONSCIOUS');
    await er.page.getByLabel('Justification').fill('Unconscious patient in resus, prior CT needed now');
    await er.page.getByLabel('Duration (minutes)').fill('30');
    await er.page.getByRole('button', { name: 'Break the glass' }).click();
    assert.match((await er.page.getByTestId('break-glass-tx').textContent()) ?? '', /[0-9a-f]{64}/);
    await er.shot('er-doctor-broke-glass');
    // The hospital's operator finds the opening waiting for the key in the app, not by phone.
    const operatorA = op('hospital-a');
    const ob = await openUserBrowser(browser, gw.url, 'operator-a', requests);
    await signIn(ob.page, operatorA, org('hospital-a').mspId);
    await ob.page.getByLabel('Key file').setInputFiles(operatorA.keyFile ?? assert.fail('no key file'));
    await ob.page.getByRole('button', { name: 'Import key file' }).click();
    await ob.page.getByRole('heading', { name: 'Operator', exact: true }).waitFor();
    const waiting = ob.page.getByTestId('pending-release').filter({ hasText: recordId });
    await waiting.waitFor();
    await waiting.getByRole('button', { name: 'Fill in' }).click();
    assert.equal(await ob.page.getByLabel('Record ID').inputValue(), recordId);
    await ob.shot('operator-pending-release');
    // This operator contributes their share in the browser; one share releases nothing.
    await ob.page.getByRole('button', { name: 'Contribute my share' }).click();
    assert.match(
      (await ob.page.getByTestId('share-contributed').textContent()) ?? '',
      /1 of 2\s+shares; another holder must contribute theirs/,
    );
    await ob.shot('operator-contributed-share');
    await ob.context.close();
    // The second holder contributes on their own device: the key is released.
    const second = holdersA[1] ?? assert.fail('no second holder');
    const released = await contributeKeyShare(second.client, second.keys, recordId, erDoctor.keys.userId);
    assert.equal(released.released, true);
    await openAndView(er.page, recordId, CT_STUDY, 'ETREAT');
    await er.shot('er-doctor-views-study');
    await er.context.close();

    const page = patientPage.page;
    await page.goto('/#/inbox');
    await page.reload();
    const emergency = page.locator('tr.breakglass');
    await emergency.first().waitFor();
    // Every access to the record: who, when, purpose and outcome, as the patient sees them.
    const log = await page.locator('[data-testid="access-row"]').evaluateAll((rows) =>
      rows.map((row) => ({
        cells: [...(row as HTMLTableRowElement).cells].map((cell) => cell.textContent.trim()),
        outcome: row.getAttribute('data-outcome'),
        purpose: row.getAttribute('data-purpose'),
        emergency: row.classList.contains('breakglass'),
        when: row.querySelector('time')?.getAttribute('datetime') ?? '',
      })),
    );
    const by = (name: string) => log.filter((row) => row.cells.some((cell) => cell.startsWith(`${name} ·`)));
    assert.ok(
      by('doctor.web').some((row) => row.outcome === 'granted' && row.purpose === 'TREAT'),
      'the doctor opened with a grant',
    );
    assert.ok(
      by('doctor.web').some((row) => row.outcome === 'denied' && row.purpose === 'TREAT'),
      'the doctor was refused after the revocation',
    );
    assert.ok(
      by('er-doctor.web').some(
        (row) => row.emergency && row.purpose === 'ETREAT' && row.outcome === 'granted',
      ),
      'the break-glass opening stands out',
    );
    assert.ok(log.every((row) => !Number.isNaN(Date.parse(row.when))));
    // The inbox's notice: who opened which record, when, why, and that the key was released.
    const notice = page.getByTestId('emergency-opening').filter({ hasText: 'er-doctor.web' });
    await notice.first().waitFor();
    assert.equal(await notice.count(), 1);
    assert.equal(await notice.getAttribute('data-reason'), 'UNCONSCIOUS');
    assert.equal(await notice.getAttribute('data-doctor'), erDoctor.keys.userId);
    assert.match((await notice.textContent()) ?? '', /Patient unconscious.*key released .*review pending/s);
    assert.ok(Date.parse((await notice.locator('time').first().getAttribute('datetime')) ?? '') > 0);
    await patientPage.shot('patient-sees-break-glass');
  });

  it('an auditor sees all of it, closes the review and exports CSV, JSON and FHIR', async () => {
    const ab = await openUserBrowser(browser, gw.url, 'auditor', requests);
    const page = ab.page;
    // First with a device whose certificate is another organisation's: the device check fails.
    await page.evaluate(
      (url) => {
        localStorage.setItem('medshare.deviceAgentUrl', url);
      },
      agentUrl.get('hospital-b') ?? '',
    );
    await page.reload();
    await signIn(page, auditor, org('imaging').mspId);
    const refusal = page.locator('.refusal[data-code="DEVICE_CHECK_FAILED"]');
    await refusal.waitFor();
    await ab.shot('device-check-refused');
    await page.evaluate(() => {
      localStorage.removeItem('medshare.deviceAgentUrl');
    });
    await page.reload();
    await signIn(page, auditor, org('imaging').mspId);
    await page.getByLabel('Backup passphrase').fill('a passphrase for tests');
    await page.getByRole('button', { name: 'Restore keys' }).click();
    await page.getByRole('heading', { name: 'Audit' }).waitFor();
    await page.getByLabel('Record ID').fill(recordId);
    await page.getByRole('button', { name: 'Show record history' }).click();
    await page.getByTestId('audit-row').first().waitFor();
    const rows = await page.getByTestId('audit-row').count();
    assert.ok(rows >= 5, `${rows} audit rows`);
    assert.ok((await page.locator('[data-testid="audit-row"].breakglass').count()) >= 1);
    await ab.shot('auditor-record-history');
    const download = async (button: string): Promise<string> => {
      const [file] = await Promise.all([
        page.waitForEvent('download'),
        page.getByRole('button', { name: button }).click(),
      ]);
      return readFile(await file.path(), 'utf8');
    };
    const csv = await download('Export CSV');
    assert.match(csv.split('\n')[0] ?? '', /^at,txId,kind,recordId/);
    assert.ok(csv.includes(recordId));
    const json = JSON.parse(await download('Export JSON')) as {
      rows: { recordId: string; kind: string; reason: string }[];
    };
    assert.equal(json.rows.length, rows);
    assert.ok(json.rows.every((row) => row.recordId === recordId));
    const sends = json.rows.filter((row) => row.kind === 'transfer' && row.reason.startsWith('sent')).length;
    const fhir = JSON.parse(await download('Export FHIR')) as { resourceType: string; entry: unknown[] };
    assert.equal(fhir.resourceType, 'Bundle');
    assert.equal(
      fhir.entry.length,
      rows + sends,
      'one event per row, and an export and an import per transfer',
    );
    const reviews = page.getByRole('region', { name: 'Break-glass reviews' });
    await reviews.getByLabel('Finding').first().selectOption('justified');
    await reviews.getByLabel('Review note').first().fill('Resuscitation confirmed by the ward record.');
    await reviews.getByRole('button', { name: 'Close review' }).first().click();
    assert.match((await reviews.getByTestId('review-tx').textContent()) ?? '', /[0-9a-f]{64}/);
    await ab.shot('auditor-closed-review');

    // A user's activity over a time range: the doctor's openings since the test began, then none before.
    const activity = page.getByRole('region', { name: 'User activity' });
    await activity.getByLabel('User').selectOption(doctor.keys.userId);
    await activity.getByLabel('From').fill(localDateTime(new Date(startedAt.getTime() - 60_000)));
    await activity.getByLabel('To').fill(localDateTime(new Date(Date.now() + 3_600_000)));
    await page.getByRole('button', { name: 'Show user activity' }).click();
    await page.getByTestId('audit-row').first().waitFor();
    const activityRows = await page.getByTestId('audit-row').count();
    assert.ok(activityRows >= 2, `${String(activityRows)} events of the doctor`);
    const doctorJson = JSON.parse(await download('Export JSON')) as { rows: { recordId: string }[] };
    assert.equal(doctorJson.rows.length, activityRows);
    assert.ok(doctorJson.rows.some((row) => row.recordId === recordId));
    await ab.shot('auditor-user-activity');
    await activity.getByLabel('From').fill(localDateTime(new Date(startedAt.getTime() - 7_200_000)));
    await activity.getByLabel('To').fill(localDateTime(new Date(startedAt.getTime() - 3_600_000)));
    await page.getByRole('button', { name: 'Show user activity' }).click();
    await page.getByText('No events: the ledger holds nothing for this query.').waitFor();
    await ab.context.close();
  });

  it('the patient asks for a picture to be erased; the imaging centre confirms, then hospital-a’s operator on the operator page', async () => {
    const erased = pictureRecordIds.at(-1) ?? assert.fail('no picture was sent');
    const page = patientPage.page;
    await page.goto(`/#/records/${erased}`);
    const section = page.getByTestId('erase-section');
    await section.getByLabel(/^Reason/).fill('I no longer want this photo kept.');
    await section.getByRole('button', { name: 'Ask for erasure' }).click();
    await section.locator('[data-testid="erasure-facts"][data-status="requested"]').waitFor();
    // Organisations by the name the pinned trust bundle gives them, not by MSP id.
    assert.ok(((await section.textContent()) ?? '').includes(`${org('imaging').name}: waiting for an admin`));
    await patientPage.shot('patient-asked-erasure');

    // The sender's organisation confirms on its operator's device; the recipient's last, in the browser.
    const first = await confirmErasure(op('imaging').client, op('imaging').keys, erased);
    assert.equal(first.erasure.status, 'requested');
    const operatorA = op('hospital-a');
    const ob = await openUserBrowser(browser, gw.url, 'operator-a-erasure', requests);
    await signIn(ob.page, operatorA, org('hospital-a').mspId);
    await ob.page.getByLabel('Key file').setInputFiles(operatorA.keyFile ?? assert.fail('no key file'));
    await ob.page.getByRole('button', { name: 'Import key file' }).click();
    await ob.page.getByRole('heading', { name: 'Operator', exact: true }).waitFor();
    const row = ob.page.getByTestId('erasure-request').filter({ hasText: erased.slice(0, 8) });
    await row.getByRole('button', { name: /^Confirm erasure of / }).click();
    const confirmed = ob.page.getByTestId('erasure-confirmed');
    await confirmed
      .locator('[data-testid="erasure-facts"][data-status="erased"]')
      .waitFor({ timeout: 120_000 });
    assert.match(
      (await confirmed.getByTestId('erasure-evidence').textContent()) ?? '',
      /garbage-collected on 3\s+nodes/,
    );
    await ob.shot('operator-confirmed-erasure');
    await ob.context.close();

    await page.reload();
    await page.getByTestId('erasure-evidence').waitFor();
    await patientPage.shot('patient-sees-erasure');
  });

  it('an operator invites a user and registers a device, sees the health, suspends and reactivates the doctor', async () => {
    const operator = op('hospital-b');
    const ob = await openUserBrowser(browser, gw.url, 'operator', requests);
    const page = ob.page;
    await signIn(page, operator, org('hospital-b').mspId);
    // Operators come from the command line: their keys are imported from its key file, read in the browser.
    await page.getByLabel('Key file').setInputFiles(operator.keyFile ?? assert.fail('no key file'));
    await page.getByRole('button', { name: 'Import key file' }).click();
    await page.getByRole('heading', { name: 'Operator', exact: true }).waitFor();

    await page.getByText('All components answer.').waitFor();
    const health = await page
      .getByTestId('health-row')
      .evaluateAll((rows) =>
        rows.map((row) => [
          row.querySelector('td:nth-child(2)')?.textContent ?? '',
          row.getAttribute('data-status'),
        ]),
      );
    const count = (kind: string) => health.filter(([k]) => k === kind).length;
    // One peer, CA and storage peer per organisation, and the gateway's own database.
    for (const kind of ['Ledger peer', 'Certificate authority', 'Storage cluster peer']) {
      assert.equal(count(kind), 3, `${kind}: ${JSON.stringify(health)}`);
    }
    assert.equal(count('Gateway database'), 1);
    assert.ok(health.every(([, status]) => status === 'ok'));
    await ob.shot('operator-network-health');

    // An invitation: the one-time secret is shown once, and the new doctor enrols with it in their browser.
    const invite = page.getByRole('region', { name: 'Invite a user' });
    await invite.getByLabel('User name').fill('doctor2.web');
    await invite.getByLabel('Role').selectOption('doctor');
    await invite.getByRole('button', { name: 'Invite' }).click();
    const secret = (await page.getByTestId('enrolment-secret').textContent())?.trim() ?? '';
    assert.ok(secret.length >= 8, 'an enrolment secret is shown');
    // With it, the trust code of the bundle the operator's browser pinned from their key file.
    const trust = (await page.getByTestId('trust-code').textContent())?.trim() ?? '';
    assert.equal(trust, trustBundleDigest(await trustBundleOf(network.plan)));
    // The enrolment link (also as a QR code) carries the trust code, never the secret.
    const link = (await page.getByTestId('enrol-link').textContent())?.trim() ?? '';
    const params = new URLSearchParams(link.split('#/enrol?')[1] ?? '');
    assert.deepEqual(Object.fromEntries(params), {
      org: org('hospital-b').mspId,
      user: 'doctor2.web',
      trust,
    });
    assert.ok(!link.includes(secret), 'the secret is not in the link');
    await page.getByTestId('enrol-link-qr').waitFor();
    await ob.shot('operator-invited-user');
    const newcomer: BrowserUser = {
      name: 'doctor2.web',
      totpSecret: '',
      lastStep: { value: 0 },
      password: '',
    };
    const nb = await openUserBrowser(browser, gw.url, 'new-doctor', requests);
    // Opened from the link, the form has the organisation, the name and the trust code filled in.
    await nb.page.goto(link);
    assert.equal(await nb.page.getByLabel('Organisation').inputValue(), org('hospital-b').mspId);
    assert.equal(await nb.page.getByLabel('User name').inputValue(), 'doctor2.web');
    assert.equal(await nb.page.getByLabel('Trust code').inputValue(), trust);
    await enrolInBrowser(nb.page, newcomer, org('hospital-b').mspId, secret, trust);
    await finishEnrolmentInBrowser(nb.page, newcomer);
    await nb.page.getByRole('button', { name: 'Continue' }).click();
    await nb.page.getByRole('heading', { name: 'Records', exact: true }).waitFor();
    await nb.context.close();

    // A device registration: its secret enrols a device agent.
    const device = page.getByRole('region', { name: 'Register a device' });
    await device.getByLabel('Device name').fill('device2.hospital-b');
    await device.getByRole('button', { name: 'Register device' }).click();
    const deviceSecret = (await page.getByTestId('device-secret').textContent())?.trim() ?? '';
    const keyDir = await mkdtemp(join(tmpdir(), 'medshare-device-'));
    await enrolDevice({
      gatewayUrl: gw.url,
      mspId: org('hospital-b').mspId,
      enrollmentId: 'device2.hospital-b',
      secret: deviceSecret,
      keyDir,
    });
    assert.match((await loadDeviceIdentity(keyDir)).certificatePem, /BEGIN CERTIFICATE/);
    await ob.shot('operator-registered-device');

    // Suspension ends the doctor's session at once; their page says so and offers to sign in again.
    await page.getByRole('button', { name: 'Suspend doctor.web' }).click();
    await page.getByRole('button', { name: 'Confirm suspension of doctor.web' }).click();
    assert.match(
      (await page.getByTestId('account-status-change').textContent()) ?? '',
      /Suspended doctor\.web/,
    );
    await ob.shot('operator-suspended-doctor');
    const dpage = doctorPage.page;
    await dpage.getByLabel('Purpose', { exact: true }).selectOption('TREAT');
    await dpage.getByRole('button', { name: 'Open record' }).click();
    await dpage.locator('.refusal[data-code="ACCOUNT_SUSPENDED"]').waitFor();
    await doctorPage.shot('doctor-suspended');
    assert.equal(await dpage.locator('.refusal').count(), 1);
    await dpage.getByRole('button', { name: 'Sign in again' }).click();
    await submitPassword(dpage, { ...doctor, mspId: org('hospital-b').mspId });
    const suspended = dpage.locator('.refusal[data-code="ACCOUNT_SUSPENDED"]');
    await suspended.waitFor();
    assert.match((await suspended.textContent()) ?? '', /operator/);
    await doctorPage.shot('doctor-sign-in-refused-while-suspended');

    await page.getByRole('button', { name: 'Reactivate doctor.web' }).click();
    assert.match(
      (await page.getByTestId('account-status-change').textContent()) ?? '',
      /Reactivated doctor\.web/,
    );
    await dpage.goto('/#/inbox');
    await dpage.reload();
    await signIn(dpage, doctor, org('hospital-b').mspId);
    await dpage.getByRole('heading', { name: 'Records', exact: true }).waitFor();
    await doctorPage.shot('doctor-reactivated');
    await ob.context.close();
  });

  it('a session that has ended is refused with its reason and a way back to sign-in', async () => {
    const page = patientPage.page;
    await page.goto(`/#/records/${recordId}`);
    // Every section has loaded (the record, its grants, its access log and the directory).
    await page.getByRole('button', { name: 'Open record' }).waitFor();
    await page.getByTestId('grant-row').first().waitFor();
    await page.getByTestId('access-row').first().waitFor();
    await page
      .getByRole('region', { name: 'Share' })
      .getByRole('option', { name: /· doctor ·/ })
      .first()
      .waitFor({ state: 'attached' });
    // The session times out: its row in the gateway's store is past its expiry, as after idling.
    const cookie = (await patientPage.context.cookies()).find((c) => c.name === 'medshare.sid');
    const sid =
      decodeURIComponent(cookie?.value ?? '')
        .slice(2)
        .split('.')[0] ?? '';
    const db = openDatabase(gw.databaseFile);
    try {
      const expired = db
        .prepare('UPDATE sessions SET expires_at = ? WHERE sid = ?')
        .run(Date.now() - 1000, sid);
      assert.equal(expired.changes, 1, 'the patient has a stored session');
    } finally {
      db.close();
    }
    await page.getByRole('button', { name: 'Open record' }).click();
    const refusal = page.locator('main .refusal[data-code="SESSION_EXPIRED"]');
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /Session ended.*Sign in again/s);
    // One notice for the page, in place of the record's sections, not one per section.
    assert.equal(await page.locator('.refusal').count(), 1);
    assert.equal(await page.getByRole('region', { name: 'Open and view' }).count(), 0);
    await patientPage.shot('patient-session-ended');
    await refusal.getByRole('button', { name: 'Sign in again' }).click();
    await page.getByRole('button', { name: 'Sign in', exact: true }).waitFor();
    assert.equal(await page.getByLabel('User name').inputValue(), '');
  });

  it('no request from any page carried plaintext', () => {
    const uploads = requests.filter((r) => r.method === 'POST' && new URL(r.url).pathname === '/api/content');
    assert.equal(uploads.length, 4 + PICTURES.files.length, 'one upload per record: a whole study is one');
    const hashes = new Set(plaintexts.map(sha256));
    const needles = plaintexts.flatMap(distinctiveWindows);
    assert.ok(needles.length >= plaintexts.length * 3);
    // The bodies the pages sent, as the browser reports them (JSON calls; not the Blob upload)...
    for (const request of requests) {
      if (!request.body) continue;
      assert.ok(
        !hashes.has(sha256(request.body)),
        `${request.method} ${request.url} carried a plaintext file`,
      );
      for (const needle of needles) {
        assert.equal(request.body.indexOf(needle), -1, `${request.method} ${request.url} carried plaintext`);
      }
    }
    assert.ok(requests.length > 50, `${String(requests.length)} requests checked`);
    // ...and every byte that reached the gateway, the upload included.
    const total = [...wire.values()].reduce((n, bytes) => n + bytes.length, 0);
    const plaintextBytes = plaintexts.reduce((n, p) => n + p.length, 0);
    assert.ok(
      total > plaintextBytes,
      `${String(total)} bytes on the wire, more than the study's ${String(plaintextBytes)}`,
    );
    for (const [connection, bytes] of wire) {
      for (const needle of needles) {
        assert.equal(bytes.indexOf(needle), -1, `connection ${String(connection)} carried plaintext`);
      }
    }
  });
});
