import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  GatewayClient,
  memoryCookieJar,
  parseDicom,
  type DemoState,
  type DemoUser,
} from 'medshare-gateway-app';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openUserBrowser, submitPassword, type SentRequest } from '../support/browser';
import { MEDSHARE_CLI, runCli } from '../support/cli';
import { freshCode } from '../support/medshare';
import { REPO_DIR, runNodeScript, startTestNetwork, type TestNetwork } from '../support/network';

const DEMO = join(REPO_DIR, 'gateway-app', 'dist', 'cli', 'demo.js');

describe(
  'npm start: the gateway, device agents and demo users on a running network',
  { timeout: 600_000 },
  () => {
    let network: TestNetwork;
    let state: DemoState;
    let browser: Browser | undefined;
    /** The last TOTP step each demo user has used (the demo confirmed their enrolment). */
    const usedSteps = new Map<string, { value: number }>();
    const demo = (command: string) => runNodeScript(DEMO, [command, ...network.args]);

    before(async () => {
      network = await startTestNetwork('raft');
    });

    after(async () => {
      await browser?.close();
      if ((network as TestNetwork | undefined) === undefined) return;
      await demo('down');
      await network.down();
    });

    it('starts one gateway and one device agent per organisation, enrols demo users of every role and prints them', async () => {
      const result = await demo('up');
      assert.equal(result.code, 0, result.stderr);
      const upStep = Math.floor(Date.now() / 30_000);
      assert.match(result.stdout, /MedShare is running\. Each organisation has its own gateway/);
      for (const [index, org] of network.plan.peerOrgs.entries()) {
        const url = `http://localhost:${String(network.plan.basePort + 94 + index)}`;
        // One line per organisation: its name, its gateway's address and its MSP id.
        assert.match(result.stdout, new RegExp(`${org.name}\\s+${url}\\s+\\(${org.mspId}\\)`));
        // The web UI is served there, and offers that organisation alone.
        const page = await fetch(`${url}/`);
        assert.equal(page.status, 200);
        assert.match(await page.text(), /<div id="root">/);
        const uiConfig = (await (await fetch(`${url}/api/ui-config`)).json()) as { organisations: string[] };
        assert.deepEqual(uiConfig.organisations, [org.mspId]);
      }
      const samples = join(network.plan.runDir, 'app', 'demo', 'sample-studies', 'ct-16bit');
      const slices = (await readdir(samples)).filter((f) => f.endsWith('.dcm'));
      assert.equal(slices.length, 24);
      const first = parseDicom(await readFile(join(samples, slices[0] ?? '')));
      assert.equal(first.modality, 'CT');
      const pictures = await readdir(join(network.plan.runDir, 'app', 'demo', 'sample-studies', 'pictures'));
      assert.deepEqual(pictures.sort(), ['phantom.jpg', 'phantom.png']);
      const stateFile = join(network.plan.runDir, 'app', 'demo', 'demo.json');
      assert.equal((await stat(stateFile)).mode & 0o777, 0o600);
      state = JSON.parse(await readFile(stateFile, 'utf8')) as DemoState;
      assert.deepEqual(
        state.gateways.map((g) => g.mspId),
        network.plan.peerOrgs.map((o) => o.mspId),
      );
      for (const user of state.users) {
        // Everyone signs in at their own organisation's gateway.
        assert.equal(user.gatewayUrl, state.gateways.find((g) => g.mspId === user.mspId)?.url, user.name);
      }
      assert.deepEqual([...new Set(state.users.map((u) => u.role))].sort(), [
        'admin',
        'auditor',
        'doctor',
        'patient',
        'technologist',
      ]);
      for (const user of state.users) {
        usedSteps.set(user.name, { value: upStep });
        assert.ok(result.stdout.includes(user.totpSecret), `${user.name}'s TOTP secret is printed`);
        assert.equal((await stat(user.keyFile)).mode & 0o777, 0o600, user.keyFile);
      }
      for (const gateway of state.gateways) assert.equal((await fetch(`${gateway.url}/readyz`)).status, 200);
      for (const agent of state.agents) assert.equal((await fetch(`${agent.url}/healthz`)).status, 200);
    });

    it('lets a demo user sign in with the printed password and TOTP secret', async () => {
      const patient = state.users.find((u) => u.role === 'patient');
      assert.ok(patient);
      const client = new GatewayClient(patient.gatewayUrl, { cookieJar: memoryCookieJar() });
      await client.login(patient.mspId, patient.name, patient.password);
      const signedIn = await client.confirmTotp(await freshCode(patient.totpSecret, usedOf(patient)));
      assert.equal(signedIn.account.role, 'patient');
      assert.match(signedIn.account.userId ?? '', /^[0-9a-f]{64}$/);
    });

    const usedOf = (user: DemoUser) => usedSteps.get(user.name) ?? assert.fail(`${user.name} not printed`);
    const demoUser = (role: string) => state.users.find((u) => u.role === role) ?? assert.fail(`no ${role}`);

    /** Signs a demo user in on the web UI with what `npm start` printed, and brings their keys. */
    async function signInOnPage(page: Page, user: DemoUser): Promise<void> {
      await submitPassword(page, user);
      await page.getByLabel('Authenticator code').fill(await freshCode(user.totpSecret, usedOf(user)));
      await page.getByRole('button', { name: 'Verify code' }).click();
      if (user.backupPassphrase) {
        await page.getByLabel('Backup passphrase').fill(user.backupPassphrase);
        await page.getByRole('button', { name: 'Restore keys' }).click();
      } else {
        await page.getByLabel('Key file').setInputFiles(user.keyFile);
        await page.getByRole('button', { name: 'Import key file' }).click();
      }
    }

    it('lets a person use it in a browser with what it printed: send a picture, view it, see the health', async () => {
      browser = await launchChromium();
      const requests: SentRequest[] = [];
      const tech = await openUserBrowser(
        browser,
        demoUser('technologist').gatewayUrl,
        'demo-technologist',
        requests,
      );
      await signInOnPage(tech.page, demoUser('technologist'));
      await tech.page.getByRole('heading', { name: 'Records', exact: true }).waitFor();
      const patient = demoUser('patient');
      await tech.page.goto('/#/send');
      await tech.page.getByLabel('Find recipient').fill(patient.name);
      await tech.page.getByLabel('Recipient', { exact: true }).selectOption(patient.userId);
      await tech.page
        .getByLabel('Files')
        .setInputFiles(join(network.plan.runDir, 'app', 'demo', 'sample-studies', 'pictures', 'phantom.png'));
      await tech.page.getByRole('button', { name: 'Encrypt and send' }).click();
      await tech.page.getByTestId('send-result').waitFor({ timeout: 120_000 });
      const recordId = (await tech.page.getByTestId('record-id').textContent())?.trim() ?? '';
      await tech.shot('demo-technologist-sent-picture');

      // The patient is at another organisation: their own gateway, which only the ledger and the cluster link.
      assert.notEqual(patient.gatewayUrl, demoUser('technologist').gatewayUrl);
      const viewer = await openUserBrowser(browser, patient.gatewayUrl, 'demo-patient', requests);
      await signInOnPage(viewer.page, patient);
      await viewer.page.locator(`[data-testid="record-row"][data-record-id="${recordId}"]`).waitFor();
      await viewer.page.goto(`/#/records/${recordId}`);
      await viewer.page.getByRole('button', { name: 'Open record' }).click();
      await viewer.page.getByTestId('signature-verified').waitFor();
      const image = viewer.page.getByTestId('record-image');
      await image.waitFor();
      const width = await image.evaluate(async (img) => {
        await (img as HTMLImageElement).decode();
        return (img as HTMLImageElement).naturalWidth;
      });
      assert.equal(width, 256, 'the picture is decoded and shown');
      await viewer.shot('demo-patient-views-picture');

      const admin =
        state.users.find((u) => u.role === 'admin' && u.mspId === patient.mspId) ?? demoUser('admin');
      const operator = await openUserBrowser(browser, admin.gatewayUrl, 'demo-operator', requests);
      await signInOnPage(operator.page, admin);
      await operator.page.getByRole('heading', { name: 'Operator', exact: true }).waitFor();
      await operator.page.getByText('All components answer.').waitFor();
      const rows = operator.page.getByTestId('health-row');
      assert.ok((await rows.count()) >= 4, `${String(await rows.count())} components`);
      assert.equal(await operator.page.locator('[data-testid="health-row"][data-status="down"]').count(), 0);
      await operator.shot('demo-operator-health');
    });

    /** Runs `medshare ARGS --json` as a demo user, with their printed key file, password and organisation's agent. */
    async function asDemoUser<T>(user: DemoUser, args: readonly string[]): Promise<T> {
      const agent = state.agents.find((a) => a.org === user.org) ?? assert.fail(`no agent of ${user.org}`);
      const env = {
        MEDSHARE_KEY_FILE: user.keyFile,
        MEDSHARE_PASSWORD: user.password,
        MEDSHARE_DEVICE_AGENT: agent.url,
      };
      const result = await runCli(MEDSHARE_CLI, [...args, '--json'], env);
      assert.equal(result.code, 0, `medshare ${args.join(' ')} (${user.name}): ${result.stderr}`);
      return JSON.parse(result.stdout) as T;
    }

    it('shares inside one hospital: the St Mary clinician sends to the St Mary patient, who opens it', async () => {
      const clinician = state.users.find((u) => u.name === 'clinician.demo') ?? assert.fail('no clinician');
      const patient = demoUser('patient');
      assert.equal(clinician.mspId, patient.mspId);
      for (const user of [clinician, patient]) {
        await asDemoUser(user, ['login', '--code', await freshCode(user.totpSecret, usedOf(user))]);
      }
      const study = join(network.plan.runDir, 'app', 'demo', 'sample-studies', 'pictures', 'phantom.png');
      const { sent } = await asDemoUser<{ sent: { recordId: string }[] }>(clinician, [
        'send',
        study,
        '--to',
        patient.userId,
      ]);
      const recordId = sent[0]?.recordId ?? assert.fail('nothing sent');
      const out = join(network.plan.runDir, 'app', 'demo', `opened-${recordId}.png`);
      const opened = await asDemoUser<{ sha256: string }>(patient, ['open', recordId, '--out', out]);
      assert.equal(
        opened.sha256,
        createHash('sha256')
          .update(await readFile(study))
          .digest('hex'),
      );
    });

    it('is idempotent, reports status, and stops only its own processes', async () => {
      const again = await demo('up');
      assert.equal(again.code, 0, again.stderr);
      const reread = JSON.parse(
        await readFile(join(network.plan.runDir, 'app', 'demo', 'demo.json'), 'utf8'),
      ) as DemoState;
      assert.deepEqual(
        reread.users.map((u) => u.totpSecret),
        state.users.map((u) => u.totpSecret),
      );
      assert.equal((await demo('status')).code, 0);
      const down = await demo('down');
      assert.equal(down.code, 0, down.stderr);
      for (const org of network.plan.peerOrgs)
        assert.match(down.stdout, new RegExp(`Stopped gateway\\.${org.key}`));
      assert.equal((await demo('status')).code, 3);
      const networkStatus = await runNodeScript(join(REPO_DIR, 'network', 'dist', 'cli.js'), [
        'status',
        ...network.args,
      ]);
      assert.equal(networkStatus.code, 0, 'the network keeps running');
    });
  },
);
