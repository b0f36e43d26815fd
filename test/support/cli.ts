import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { access, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { enrolDevice, loadDeviceIdentity, startAgentServer, type AgentServer } from 'medshare-gateway-app';
import { orgAdmin, secondAdmin, type NetworkPlan, type OrgPlan } from 'medshare-network';
import { CliProcess } from './cli-process';
import { freshCode, type RunningGateway } from './medshare';
import { REPO_DIR, type CliResult } from './network';

/** The workstation CLI, as built. */
export const MEDSHARE_CLI = join(REPO_DIR, 'gateway-app', 'dist', 'cli', 'medshare.js');
/** The gateway host's administration CLI, as built. */
export const GATEWAY_ADMIN_CLI = join(REPO_DIR, 'gateway-app', 'dist', 'cli', 'gateway-admin.js');

/**
 * Runs a CLI of the repository with `env` on top of this process's
 * environment, less any MEDSHARE_ or GATEWAY_ setting of the machine's own.
 * stdin is not a terminal, so the CLI never prompts.
 */
export function runCli(
  script: string,
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('MEDSHARE_') && !k.startsWith('GATEWAY_')),
  );
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [script, ...args],
      { cwd: REPO_DIR, env: { ...base, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 180_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/**
 * The settings `startGateway` gave the in-process gateway that
 * `medshare-gateway-admin` reads on the gateway host: its port (hence its
 * public origin), network plan, database and TOTP sealing key. The session
 * secret is not needed by the admin CLI, only required by the configuration.
 */
export function gatewayEnvOf(gw: RunningGateway, plan: NetworkPlan): Record<string, string> {
  return {
    GATEWAY_PORT: new URL(gw.url).port,
    GATEWAY_NETWORK_PLAN: join(plan.runDir, 'network.json'),
    GATEWAY_DATABASE: gw.databaseFile,
    GATEWAY_SESSION_SECRET: randomBytes(32).toString('base64'),
    GATEWAY_TOTP_KEY: gw.totpKey.toString('base64'),
    GATEWAY_ORGANISATION: '*',
  };
}

/** A person at a workstation, with their own key file, driving the CLI. */
export class CliUser {
  readonly name: string;
  readonly org: OrgPlan;
  readonly role: string;
  readonly keyFile: string;
  readonly password = `correct horse ${randomBytes(6).toString('base64url')} staple`;
  readonly passphrase = `backup passphrase ${randomBytes(6).toString('base64url')} here`;
  totpSecret = '';
  userId = '';
  readonly lastStep = { value: 0 };
  agentUrl = '';

  constructor(name: string, org: OrgPlan, role: string, dir: string) {
    this.name = name;
    this.org = org;
    this.role = role;
    this.keyFile = join(dir, `${name}.json`);
  }

  /** The environment this user's commands run with: their key file, password, passphrase and agent. */
  env(): Record<string, string> {
    return {
      MEDSHARE_KEY_FILE: this.keyFile,
      MEDSHARE_PASSWORD: this.password,
      MEDSHARE_PASSPHRASE: this.passphrase,
      ...(this.agentUrl ? { MEDSHARE_DEVICE_AGENT: this.agentUrl } : {}),
    };
  }

  /** Runs `medshare ARGS` as this user. */
  run(args: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
    return runCli(MEDSHARE_CLI, args, { ...this.env(), ...env });
  }

  /** Starts a long-running `medshare ARGS` (`dicom receive`) as this user. */
  start(args: readonly string[]): CliProcess {
    return new CliProcess(MEDSHARE_CLI, args, this.env(), REPO_DIR);
  }

  /** Runs `medshare ARGS --json`, which must succeed, and parses its one JSON object. */
  async json<T = Record<string, unknown>>(
    args: readonly string[],
    env: Record<string, string> = {},
  ): Promise<T> {
    const result = await this.run([...args, '--json'], env);
    assert.equal(result.code, 0, `medshare ${args.join(' ')} (${this.name}): ${result.stderr}`);
    return JSON.parse(result.stdout) as T;
  }

  /** A TOTP code the gateway has not accepted yet for this user. */
  code(): Promise<string> {
    return freshCode(this.totpSecret, this.lastStep);
  }

  /** `medshare login` with a fresh code. */
  async login(env: Record<string, string> = {}): Promise<void> {
    await this.json(['login', '--code', await this.code()], env);
  }
}

/**
 * An organisation's operator, made with `medshare-gateway-admin
 * bootstrap-operator` from its first network admin (or, with `second`, its
 * second: `admin2`), then signed in.
 */
export async function bootstrapOperatorByCli(
  gw: RunningGateway,
  plan: NetworkPlan,
  org: OrgPlan,
  dir: string,
  { second = false }: { second?: boolean } = {},
): Promise<CliUser> {
  const operator = new CliUser(`${second ? 'admin2' : 'admin'}.${org.key}`, org, 'admin', dir);
  const args = ['bootstrap-operator', '--msp', org.mspId, '--name', operator.name];
  const adminMsp = (second ? secondAdmin(org) : orgAdmin(org)).msp;
  const result = await runCli(
    GATEWAY_ADMIN_CLI,
    [...args, '--admin-msp-dir', adminMsp, '--key-file', operator.keyFile, '--json'],
    { ...gatewayEnvOf(gw, plan), MEDSHARE_PASSWORD: operator.password },
  );
  assert.equal(result.code, 0, `bootstrap-operator ${org.key}: ${result.stderr}`);
  const made = JSON.parse(result.stdout) as { userId: string; totp: { secret: string; uri: string } };
  operator.totpSecret = made.totp.secret;
  operator.userId = made.userId;
  await operator.login();
  return operator;
}

/** The operator registers a device with `medshare operator register-device`; its agent enrols and starts. */
export async function startAgentByCli(
  gw: RunningGateway,
  operator: CliUser,
  name: string,
): Promise<AgentServer> {
  const { secret } = await operator.json<{ secret: string }>(['operator', 'register-device', '--name', name]);
  const keyDir = await mkdtemp(join(tmpdir(), 'medshare-device-'));
  await enrolDevice({ gatewayUrl: gw.url, mspId: operator.org.mspId, enrollmentId: name, secret, keyDir });
  const identity = await loadDeviceIdentity(keyDir);
  return startAgentServer({
    identity: { certificatePem: identity.certificatePem, privateKey: identity.privateKey },
    port: 0,
    allowedOrigins: [gw.url],
  });
}

/**
 * The whole enrolment through the CLI: the operator invites (`operator
 * invite`), the user enrols with the one-time secret from a file (`enrol`)
 * and activates with their first TOTP code (`activate`), with `--json`
 * unless `human` (then the human-readable output is checked and read). The
 * user uses the operator's device agent (the same organisation's).
 */
export async function inviteAndEnrolByCli(
  gw: RunningGateway,
  operator: CliUser,
  name: string,
  role: string,
  dir: string,
  options: { human?: boolean } = {},
): Promise<CliUser> {
  const invited = await operator.json<{ secret: string; trustDigest: string; enrolLink: string }>([
    'operator',
    'invite',
    '--name',
    name,
    '--role',
    role,
  ]);
  // The browser's way in: the enrolment page with the trust code, never the secret.
  assert.equal(
    invited.enrolLink,
    `${gw.url}/#/enrol?${new URLSearchParams({ org: operator.org.mspId, user: name, trust: invited.trustDigest }).toString()}`,
  );
  const secretFile = join(dir, `${name}.secret`);
  await writeFile(secretFile, `${invited.secret}\n`, { mode: 0o600 });
  const user = new CliUser(name, operator.org, role, dir);
  user.agentUrl = operator.agentUrl;
  const enrol = [
    'enrol',
    '--gateway',
    gw.url,
    '--msp',
    operator.org.mspId,
    '--name',
    name,
    '--trust',
    invited.trustDigest,
    '--secret-file',
    secretFile,
  ];
  if (options.human) {
    // What a person sees: the TOTP secret, the otpauth URI and a QR code, then the next step.
    const shown = await user.run(enrol);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /otpauth:\/\/totp\/MedShare:/);
    assert.match(shown.stdout, /[\u2580\u2584\u2588]/, 'a terminal QR code');
    assert.match(shown.stdout, /medshare activate --code CODE/);
    user.totpSecret = /secret: ([A-Z2-7]+)/.exec(shown.stdout)?.[1] ?? '';
    user.userId = /as user ([0-9a-f]{64})/.exec(shown.stdout)?.[1] ?? '';
    const activated = await user.run(['activate', '--code', await user.code()]);
    assert.equal(activated.code, 0, activated.stderr);
    assert.match(activated.stdout, new RegExp(`^activated: registered on the ledger as ${user.userId} `));
    return user;
  }
  const enrolled = await user.json<{ userId: string; role: string; totp: { secret: string } }>(enrol);
  assert.equal(enrolled.role, role);
  user.totpSecret = enrolled.totp.secret;
  user.userId = enrolled.userId;
  const activated = await user.json<{ userId: string }>(['activate', '--code', await user.code()]);
  assert.equal(activated.userId, user.userId);
  return user;
}

/**
 * A refusal: exit status `exitCode`, one line on stderr naming `code` (and
 * matching `reason`, if given), no stack trace, nothing on stdout.
 */
export function refusedWith(result: CliResult, exitCode: number, code: string, reason?: RegExp): void {
  assert.equal(result.code, exitCode, `${result.stdout}\n${result.stderr}`);
  const lines = result.stderr.split('\n').filter(Boolean);
  assert.equal(lines.length, 1, result.stderr);
  assert.match(lines[0] ?? '', new RegExp(`^medshare: ${code}: `));
  if (reason) assert.match(lines[0] ?? '', reason);
  assert.equal(result.stdout, '');
}

/** Whether a file exists. */
export const exists = (path: string): Promise<boolean> =>
  access(path).then(
    () => true,
    () => false,
  );

/**
 * Every peer organisation's first operator (`bootstrap-operator`), each with
 * a device agent of their organisation that their users share. Agents are
 * pushed to `agents` as they start, so the caller stops them even if a later
 * one fails.
 */
export async function operatorsByCli(
  gw: RunningGateway,
  plan: NetworkPlan,
  dir: string,
  agents: AgentServer[],
): Promise<Map<string, CliUser>> {
  const operators = new Map<string, CliUser>();
  for (const org of plan.peerOrgs) {
    const operator = await bootstrapOperatorByCli(gw, plan, org, dir);
    const agent = await startAgentByCli(gw, operator, `device.${org.key}`);
    agents.push(agent);
    operator.agentUrl = agent.url;
    operators.set(org.key, operator);
  }
  return operators;
}

/**
 * Puts an organisation's emergency key set in force from the command line:
 * `first` proposes both operators as holders, 2 of 2, and `second` approves.
 */
export async function emergencyKeySetByCli(first: CliUser, second: CliUser): Promise<void> {
  const proposed = await first.json<{ keySet: { version: number; status: string } }>([
    'emergency-key',
    'propose',
    '--holders',
    `${first.userId},${second.userId}`,
    '--threshold',
    '2',
  ]);
  assert.equal(proposed.keySet.status, 'proposed');
  const approved = await second.json<{ keySet: { status: string } }>([
    'emergency-key',
    'approve',
    String(proposed.keySet.version),
  ]);
  assert.equal(approved.keySet.status, 'active');
}
