#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import {
  logTail,
  orgAdmin,
  planFile,
  secondAdmin,
  resolvePlan,
  runningPid,
  startProcess,
  stopProcess,
  type NetworkPlan,
  type OrgPlan,
} from 'medshare-network';
import { TotpService } from '../auth';
import { GatewayClient, memoryCookieJar } from '../client/api-client';
import { approveKeySet, proposeKeySet } from '../client/emergency-keyset';
import type { DeviceKeys } from '../client/flows';
import { signRegistration, type RegistrableRole } from '../client/ca-token';
import { registerOwnKey } from '../client/key-binding';
import { finishEnrolment, startEnrolment } from '../client/enrolment';
import { enrolDevice } from '../device';
import { deviceKeysOf, keyFileOfEnrolment, loadKeyFile, saveKeyFile } from './key-file';
import { nodeUploader } from './node-uploader';
import { bootstrapOperatorKeyFile } from './operator-key-file';
import { syntheticStudy, type SyntheticStudyOptions } from '../study/synthetic';
import type { DemoState, DemoUser } from './demo-state';
import { samplePictures } from './sample-pictures';
import { trustBundleDigest } from '../trust/bundle';
import { trustBundleOf } from '../trust/from-plan';

const USAGE = 'usage: medshare-demo <up|down|status> [--base-port N] [--run-dir DIR] [--description FILE]';
const REPO_DIR = resolve(__dirname, '..', '..', '..');
const APP_DIR = resolve(__dirname, '..', '..');
/** Offsets from the network's base port: one device agent, then one gateway, per peer organisation. */
const AGENT_PORT_OFFSET = 91;
const GATEWAY_PORT_OFFSET = 94;

/** Who the demo enrols in each organisation (operators come first, from the network's admins). */
const DEMO_USERS: Readonly<Record<string, readonly [string, RegistrableRole][]>> = {
  imaging: [
    ['tech.demo', 'technologist'],
    ['auditor.demo', 'auditor'],
  ],
  // A St Mary clinician too: records shared inside one hospital never leave its peers.
  'hospital-a': [
    ['patient.demo', 'patient'],
    ['clinician.demo', 'doctor'],
  ],
  // The emergency doctor works at the other hospital: a St Mary patient brought unconscious to Riverside.
  'hospital-b': [
    ['doctor.demo', 'doctor'],
    ['er-doctor.demo', 'doctor'],
  ],
};

class DemoError extends Error {}

/** One organisation's gateway in the demo: its own process, port, database and secrets. */
interface GatewayLayout {
  org: OrgPlan;
  /** The process name, `gateway.<org key>`. */
  name: string;
  port: number;
  url: string;
  database: string;
  secretsFile: string;
  /** Its organisation's device agent. */
  agentUrl: string;
}

interface Layout {
  plan: NetworkPlan;
  appDir: string;
  demoDir: string;
  stateFile: string;
  /** One gateway per peer organisation, in the plan's order. */
  gateways: GatewayLayout[];
  gatewayOf(org: OrgPlan): GatewayLayout;
  agentPort(index: number): number;
  processFiles(name: string): { env: string; log: string; pid: string };
}

function layoutOf(plan: NetworkPlan): Layout {
  const appDir = join(plan.runDir, 'app');
  const agentPort = (index: number) => plan.basePort + AGENT_PORT_OFFSET + index;
  const gateways = plan.peerOrgs.map((org, index): GatewayLayout => {
    const port = plan.basePort + GATEWAY_PORT_OFFSET + index;
    return {
      org,
      name: `gateway.${org.key}`,
      port,
      url: `http://localhost:${String(port)}`,
      database: join(appDir, `gateway.${org.key}.db`),
      secretsFile: join(appDir, `gateway.${org.key}-secrets.json`),
      agentUrl: `http://127.0.0.1:${String(agentPort(index))}`,
    };
  });
  return {
    plan,
    appDir,
    demoDir: join(appDir, 'demo'),
    stateFile: join(appDir, 'demo', 'demo.json'),
    gateways,
    gatewayOf: (org) => {
      const found = gateways.find((g) => g.org.key === org.key);
      if (!found) throw new DemoError(`no gateway for ${org.key}`);
      return found;
    },
    agentPort,
    processFiles: (name) => ({
      env: join(appDir, 'env', `${name}.env`),
      log: join(appDir, 'logs', `${name}.log`),
      pid: join(appDir, 'pids', `${name}.pid`),
    }),
  };
}

const password = (): string => `demo ${randomBytes(12).toString('base64url')}`;

/** The gateway's own secrets, made once per run directory and kept (mode 0600) across restarts. */
async function gatewaySecrets(file: string): Promise<{ sessionSecret: string; totpKey: string }> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as { sessionSecret: string; totpKey: string };
  } catch {
    const secrets = {
      sessionSecret: randomBytes(32).toString('base64'),
      totpKey: randomBytes(32).toString('base64'),
    };
    await writeFile(file, `${JSON.stringify(secrets)}\n`, { mode: 0o600 });
    return secrets;
  }
}

async function waitUntil(what: string, check: () => Promise<boolean>, log: string, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await sleep(500);
  }
  throw new DemoError(`${what} did not become ready; the end of ${log}:\n${(await logTail(log)).join('\n')}`);
}

const answers = (url: string) => async () => (await fetch(url)).ok;

/**
 * Starts one organisation's gateway: it loads only that organisation's
 * credentials (GATEWAY_ORGANISATION), keeps its own accounts, and lists the
 * other organisations' users by asking their gateways.
 */
async function startGatewayProcess(layout: Layout, gateway: GatewayLayout): Promise<void> {
  const files = layout.processFiles(gateway.name);
  if ((await runningPid(files.pid)) !== undefined) return;
  const secrets = await gatewaySecrets(gateway.secretsFile);
  await startProcess({
    name: gateway.name,
    script: join(APP_DIR, 'scripts', 'gateway.sh'),
    cwd: REPO_DIR,
    files,
    env: {
      GATEWAY_SERVER: join(APP_DIR, 'dist', 'server.js'),
      GATEWAY_PORT: String(gateway.port),
      GATEWAY_ORGANISATION: gateway.org.mspId,
      GATEWAY_PEER_GATEWAYS: layout.gateways
        .filter((g) => g !== gateway)
        .map((g) => `${g.org.mspId}=${g.url}`)
        .join(','),
      GATEWAY_NETWORK_PLAN: planFile(layout.plan.runDir),
      GATEWAY_DATABASE: gateway.database,
      GATEWAY_SESSION_SECRET: secrets.sessionSecret,
      GATEWAY_TOTP_KEY: secrets.totpKey,
      // The web UI suggests the organisation's own device agent to its users.
      GATEWAY_DEVICE_AGENT_ORIGINS: gateway.agentUrl,
      GATEWAY_DEVICE_AGENTS: `${gateway.org.mspId}=${gateway.agentUrl}`,
      GATEWAY_LOG_LEVEL: 'info',
      // Every demo user signs in from this one machine, so one address makes all their attempts.
      GATEWAY_LOGIN_RATE_LIMIT: '300',
    },
  });
  await waitUntil(gateway.name, answers(`${gateway.url}/readyz`), files.log);
}

async function startAgentProcess(layout: Layout, org: OrgPlan, index: number): Promise<string> {
  const name = `device-agent.${org.key}`;
  const files = layout.processFiles(name);
  const port = layout.agentPort(index);
  const url = `http://127.0.0.1:${String(port)}`;
  if ((await runningPid(files.pid)) === undefined) {
    await startProcess({
      name,
      script: join(APP_DIR, 'scripts', 'device-agent.sh'),
      cwd: REPO_DIR,
      files,
      env: {
        DEVICE_AGENT_CLI: join(APP_DIR, 'dist', 'cli', 'device-agent.js'),
        DEVICE_KEY_DIR: join(layout.appDir, 'devices', org.key),
        DEVICE_AGENT_PORT: String(port),
        DEVICE_AGENT_ORIGIN: layout.gatewayOf(org).url,
      },
    });
    await waitUntil(name, answers(`${url}/healthz`), files.log);
  }
  return url;
}

const totp = new TotpService();

/** Signs in with password and the current TOTP code, as a person with an authenticator would. */
async function signedIn(
  url: string,
  user: { mspId: string; name: string; password: string; totpSecret: string },
) {
  const client = new GatewayClient(url, { cookieJar: memoryCookieJar(), uploader: nodeUploader });
  await client.login(user.mspId, user.name, user.password);
  await client.confirmTotp(totp.currentCode(user.totpSecret));
  return client;
}

/**
 * Bootstraps each organisation's operator from its network admin, registers
 * its emergency key and its demo device, and enrols the demo users through
 * the same API and device-side code the web UI and the CLI use.
 */
async function enrolDemo(layout: Layout): Promise<DemoUser[]> {
  const users: DemoUser[] = [];
  // This host's network files: what the operators pin, and what their invitations name.
  const trustBundle = await trustBundleOf(layout.plan);
  for (const org of layout.plan.peerOrgs) {
    // Each organisation's people are its own gateway's accounts.
    const gateway = layout.gatewayOf(org);
    const totpKey = Buffer.from((await gatewaySecrets(gateway.secretsFile)).totpKey, 'base64');
    const dir = join(layout.demoDir, org.key);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // Two operators, from the network's two admins: the emergency key set needs both.
    const operators: { operator: DemoUser; client: GatewayClient; keys: DeviceKeys }[] = [];
    for (const [name, adminMspDir, file] of [
      [`admin.${org.key}`, orgAdmin(org).msp, 'operator.json'],
      [`admin2.${org.key}`, secondAdmin(org).msp, 'operator2.json'],
    ] as const) {
      const operator: DemoUser = {
        org: org.key,
        mspId: org.mspId,
        name,
        role: 'admin',
        password: password(),
        totpSecret: '',
        keyFile: join(dir, file),
        userId: '',
        gatewayUrl: gateway.url,
      };
      const made = await bootstrapOperatorKeyFile({
        trustBundle,
        database: gateway.database,
        totpKey,
        gatewayUrl: gateway.url,
        mspId: org.mspId,
        enrollmentId: operator.name,
        adminMspDir,
        keyFile: operator.keyFile,
        password: operator.password,
      });
      operator.totpSecret = made.totpSecret;
      operator.userId = made.userId;
      users.push(operator);
      const signed = await signedIn(gateway.url, operator);
      const operatorKeys = await deviceKeysOf(await loadKeyFile(operator.keyFile));
      // The operator's registry entry, without which an admin can do nothing on the ledger.
      await registerOwnKey(signed, operatorKeys);
      operators.push({ operator, client: signed, keys: operatorKeys });
    }
    const [first, second] = operators;
    if (!first || !second) throw new DemoError(`no operators for ${org.key}`);
    const { client, keys } = first;
    // The emergency key set: both operators hold a share, both must act to release a key.
    const { keySet } = await proposeKeySet(client, keys, [first.keys.userId, second.keys.userId], 2);
    await approveKeySet(second.client, second.keys, keySet.version);
    await second.client.logout();

    const deviceName = `device.demo.${org.key}`;
    const device = await client.registerDevice(
      await signRegistration(keys.signer, { caName: org.ca.name, enrollmentId: deviceName, role: 'device' }),
    );
    await enrolDevice({
      gatewayUrl: gateway.url,
      mspId: org.mspId,
      enrollmentId: deviceName,
      secret: device.secret,
      keyDir: join(layout.appDir, 'devices', org.key),
    });

    for (const [name, role] of DEMO_USERS[org.key] ?? []) {
      const invited = await client.registerUser(
        await signRegistration(keys.signer, { caName: org.ca.name, enrollmentId: name, role }),
      );
      const user: DemoUser = {
        org: org.key,
        mspId: org.mspId,
        name,
        role,
        password: password(),
        totpSecret: '',
        keyFile: join(dir, `${name}.json`),
        userId: '',
        gatewayUrl: gateway.url,
        backupPassphrase: `backup ${randomBytes(9).toString('base64url')}`,
      };
      const own = new GatewayClient(gateway.url, { cookieJar: memoryCookieJar(), uploader: nodeUploader });
      const pending = await startEnrolment(own, {
        mspId: org.mspId,
        enrollmentId: name,
        secret: invited.secret,
        password: user.password,
        trustDigest: trustBundleDigest(trustBundle),
      });
      user.totpSecret = pending.totp.secret;
      user.userId = pending.keys.userId;
      await finishEnrolment(own, pending, {
        code: totp.currentCode(user.totpSecret),
        backupPassphrase: user.backupPassphrase ?? '',
      });
      await saveKeyFile(
        user.keyFile,
        keyFileOfEnrolment(pending, { gatewayUrl: gateway.url, enrollmentId: name }),
      );
      users.push(user);
      await own.logout();
    }
    await client.logout();
  }
  return users;
}

/** Synthetic studies and pictures to try the web UI and the CLI with (no real patient data). */
const SAMPLE_STUDIES = [
  {
    dir: 'ct-16bit',
    options: { slices: 24, rows: 256, columns: 256, bits: 16, transferSyntax: 'explicit-le', modality: 'CT' },
  },
  {
    dir: 'jpeg-baseline',
    options: { slices: 8, rows: 256, columns: 256, bits: 8, transferSyntax: 'jpeg-baseline', modality: 'MR' },
  },
] as const satisfies readonly { dir: string; options: SyntheticStudyOptions }[];

const PICTURES_DIR = 'pictures';

async function writeSampleStudies(layout: Layout): Promise<string> {
  const root = join(layout.demoDir, 'sample-studies');
  for (const { dir, options } of SAMPLE_STUDIES) {
    const target = join(root, dir);
    await mkdir(target, { recursive: true });
    for (const file of syntheticStudy({ ...options, seed: 1 })) {
      await writeFile(join(target, file.name), file.bytes);
    }
  }
  await mkdir(join(root, PICTURES_DIR), { recursive: true });
  for (const file of samplePictures().files) await writeFile(join(root, PICTURES_DIR, file.name), file.bytes);
  return root;
}

function summary(state: DemoState, layout: Layout, samples: string): string {
  const lines = [
    '',
    'MedShare is running. Each organisation has its own gateway; its people sign in there:',
    ...state.gateways.map((g) => `  ${g.name.padEnd(24)} ${g.url}  (${g.mspId})`),
    `(each gateway describes its API at /api/openapi.json)`,
    '',
    'Demo accounts (for this demo only: secrets are printed here and kept in',
    `${layout.stateFile}, mode 0600). Add a TOTP secret to an authenticator app, or`,
    'compute the current code with: oathtool --totp -b SECRET',
    '',
  ];
  for (const user of state.users) {
    lines.push(
      `  ${user.role.padEnd(12)} ${user.mspId.padEnd(13)} ${user.name}  at ${user.gatewayUrl}`,
      `      password: ${user.password}`,
      `      TOTP secret: ${user.totpSecret}`,
      `      key file: ${user.keyFile}`,
      ...(user.backupPassphrase ? [`      key backup passphrase: ${user.backupPassphrase}`] : []),
    );
  }
  lines.push('', 'Device agents (each signs posture reports for its organisation\u2019s users):');
  for (const agent of state.agents) lines.push(`  ${agent.org}: ${agent.url}`);
  lines.push(
    '',
    `Synthetic DICOM studies and pictures to send: ${samples} (${[...SAMPLE_STUDIES.map((s) => s.dir), PICTURES_DIR].join(', ')})`,
    'In the browser, each user restores their keys once with their key backup passphrase (operators:',
    'import their key file); the page picks the organisation’s device agent by itself.',
    '',
    'Command line: MEDSHARE_KEY_FILE=<key file> node gateway-app/dist/cli/medshare.js --help',
    `Logs: ${join(layout.appDir, 'logs')}. Stop everything with: npm stop`,
  );
  return lines.join('\n');
}

async function up(layout: Layout): Promise<void> {
  await mkdir(layout.appDir, { recursive: true, mode: 0o700 });
  for (const gateway of layout.gateways) await startGatewayProcess(layout, gateway);
  let state: DemoState | undefined;
  try {
    state = JSON.parse(await readFile(layout.stateFile, 'utf8')) as DemoState;
  } catch {
    state = undefined;
  }
  if (state && !Array.isArray(state.gateways)) {
    throw new DemoError(
      'this run directory was set up by an older demo (one gateway for every organisation); start afresh: npm stop, npm run network:down -- --clean, npm start',
    );
  }
  if (!state) {
    const users = await enrolDemo(layout);
    state = {
      gateways: layout.gateways.map((g) => ({
        org: g.org.key,
        mspId: g.org.mspId,
        name: g.org.name,
        url: g.url,
      })),
      users,
      agents: [],
    };
  }
  state.agents = [];
  for (const [index, org] of layout.plan.peerOrgs.entries()) {
    state.agents.push({ org: org.key, url: await startAgentProcess(layout, org, index) });
  }
  await writeFile(layout.stateFile, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  await chmod(layout.stateFile, 0o600);
  const samples = await writeSampleStudies(layout);
  process.stdout.write(`${summary(state, layout, samples)}\n`);
}

function processNames(layout: Layout): string[] {
  return [...layout.gateways.map((g) => g.name), ...layout.plan.peerOrgs.map((o) => `device-agent.${o.key}`)];
}

async function down(layout: Layout): Promise<void> {
  for (const name of processNames(layout).reverse()) {
    if (await stopProcess(layout.processFiles(name).pid)) process.stdout.write(`Stopped ${name}\n`);
  }
}

async function status(layout: Layout): Promise<boolean> {
  let all = true;
  for (const name of processNames(layout)) {
    const pid = await runningPid(layout.processFiles(name).pid);
    all &&= pid !== undefined;
    process.stdout.write(
      `${name.padEnd(28)} ${pid === undefined ? 'stopped' : `running (pid ${String(pid)})`}\n`,
    );
  }
  return all;
}

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: {
      'base-port': { type: 'string' },
      'run-dir': { type: 'string' },
      description: { type: 'string' },
      consensus: { type: 'string' },
      // Accepted so that `network:down -- --clean` can pass its options on.
      clean: { type: 'boolean' },
    },
  });
  const command = positionals[0];
  const basePort = values['base-port'] === undefined ? undefined : Number(values['base-port']);
  if (positionals.length !== 1 || (basePort !== undefined && !Number.isInteger(basePort))) {
    throw new DemoError(USAGE);
  }
  const plan = await resolvePlan({
    descriptionFile: resolve(values.description ?? join(REPO_DIR, 'network', 'consortium.yaml')),
    repoDir: REPO_DIR,
    ...(basePort !== undefined ? { basePort } : {}),
    ...(values['run-dir'] !== undefined ? { runDir: resolve(values['run-dir']) } : {}),
  });
  const layout = layoutOf(plan);
  switch (command) {
    case 'up':
      await up(layout);
      return 0;
    case 'down':
      await down(layout);
      return 0;
    case 'status':
      return (await status(layout)) ? 0 : 3;
    default:
      throw new DemoError(USAGE);
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const e = error as { code?: unknown; message?: unknown };
    const code = typeof e.code === 'string' ? `${e.code}: ` : '';
    process.stderr.write(`medshare-demo: ${code}${String(e.message ?? error)}\n`);
    process.exitCode = 1;
  },
);
