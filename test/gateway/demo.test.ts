import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { GatewayClient, memoryCookieJar, parseDicom } from 'medshare-gateway-app';
import { freshCode } from '../support/medshare';
import { REPO_DIR, runNodeScript, startTestNetwork, type TestNetwork } from '../support/network';

const DEMO = join(REPO_DIR, 'gateway-app', 'dist', 'cli', 'demo.js');

interface DemoState {
  url: string;
  users: {
    mspId: string;
    name: string;
    role: string;
    password: string;
    totpSecret: string;
    keyFile: string;
  }[];
  agents: { org: string; url: string }[];
}

describe(
  'npm start: the gateway, device agents and demo users on a running network',
  { timeout: 600_000 },
  () => {
    let network: TestNetwork;
    let state: DemoState;
    const demo = (command: string) => runNodeScript(DEMO, [command, ...network.args]);

    before(async () => {
      network = await startTestNetwork('raft');
    });

    after(async () => {
      if ((network as TestNetwork | undefined) === undefined) return;
      await demo('down');
      await network.down();
    });

    it('starts the gateway and one device agent per organisation, enrols demo users of every role and prints them', async () => {
      const result = await demo('up');
      assert.equal(result.code, 0, result.stderr);
      const url = `http://localhost:${String(network.plan.basePort + 90)}`;
      assert.match(result.stdout, new RegExp(`MedShare is running\\. Open ${url} in a browser`));
      // The web UI is served, and synthetic studies wait to be sent.
      const page = await fetch(`${url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<div id="root">/);
      const samples = join(network.plan.runDir, 'app', 'demo', 'sample-studies', 'ct-16bit');
      const slices = (await readdir(samples)).filter((f) => f.endsWith('.dcm'));
      assert.equal(slices.length, 24);
      const first = parseDicom(await readFile(join(samples, slices[0] ?? '')));
      assert.equal(first.modality, 'CT');
      const stateFile = join(network.plan.runDir, 'app', 'demo', 'demo.json');
      assert.equal((await stat(stateFile)).mode & 0o777, 0o600);
      state = JSON.parse(await readFile(stateFile, 'utf8')) as DemoState;
      assert.deepEqual([...new Set(state.users.map((u) => u.role))].sort(), [
        'admin',
        'auditor',
        'doctor',
        'patient',
        'technologist',
      ]);
      for (const user of state.users) {
        assert.ok(result.stdout.includes(user.totpSecret), `${user.name}'s TOTP secret is printed`);
        assert.equal((await stat(user.keyFile)).mode & 0o777, 0o600, user.keyFile);
      }
      assert.equal((await fetch(`${url}/readyz`)).status, 200);
      for (const agent of state.agents) assert.equal((await fetch(`${agent.url}/healthz`)).status, 200);
    });

    it('lets a demo user sign in with the printed password and TOTP secret', async () => {
      const patient = state.users.find((u) => u.role === 'patient');
      assert.ok(patient);
      const client = new GatewayClient(state.url, { cookieJar: memoryCookieJar() });
      await client.login(patient.mspId, patient.name, patient.password);
      // The demo used the current step to confirm enrolment; the next one is accepted too.
      const used = { value: Math.floor(Date.now() / 30_000) };
      const signedIn = await client.confirmTotp(await freshCode(patient.totpSecret, used));
      assert.equal(signedIn.account.role, 'patient');
      assert.match(signedIn.account.userId ?? '', /^[0-9a-f]{64}$/);
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
      assert.match(down.stdout, /Stopped gateway/);
      assert.equal((await demo('status')).code, 3);
      const networkStatus = await runNodeScript(join(REPO_DIR, 'network', 'dist', 'cli.js'), [
        'status',
        ...network.args,
      ]);
      assert.equal(networkStatus.code, 0, 'the network keeps running');
    });
  },
);
