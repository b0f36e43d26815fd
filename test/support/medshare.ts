import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import type { Server } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  bootstrapOperatorKeyFile,
  approveKeySet,
  buildGateway,
  contributeKeyShare,
  deviceKeysOf,
  enrolDevice,
  finishEnrolment,
  httpDeviceAgent,
  loadConfig,
  loadDeviceIdentity,
  loadKeyFile,
  registerOwnKey,
  memoryCookieJar,
  signRegistration,
  startAgentServer,
  startEnrolment,
  TotpService,
  GatewayClient,
  nodeUploader,
  proposeKeySet,
  trustBundleDigest,
  trustBundleOf,
  type AgentServer,
  type DeviceAgent,
  type DeviceKeys,
  type Gateway,
  type RegistrableRole,
} from 'medshare-gateway-app';
import { orgAdmin, secondAdmin, type NetworkPlan, type OrgPlan } from 'medshare-network';
import { pino } from 'pino';

/** A cookie jar for one client, as a browser would keep it. */
export const cookieJar = memoryCookieJar;

/** A free loopback port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  return port;
}

/** A gateway built in this process over a test network, listening on loopback. */
export interface RunningGateway {
  url: string;
  /** The network it fronts: the trust its operators pin is read from these files. */
  plan: NetworkPlan;
  gateway: Gateway;
  databaseFile: string;
  totpKey: Buffer;
  close(): Promise<void>;
}

/**
 * Builds and starts the gateway; `env` overrides settings (a device policy file, upload limit...).
 * `onWire` sees every byte clients send to it, as it arrives on each connection.
 */
export async function startGateway(
  plan: NetworkPlan,
  env: Record<string, string> = {},
  onWire?: (connection: number, chunk: Buffer) => void,
): Promise<RunningGateway> {
  const dir = await mkdtemp(join(tmpdir(), 'medshare-gateway-'));
  const port = await freePort();
  const totpKey = randomBytes(32);
  const config = loadConfig({
    GATEWAY_PORT: String(port),
    GATEWAY_NETWORK_PLAN: join(plan.runDir, 'network.json'),
    GATEWAY_DATABASE: join(dir, 'gateway.db'),
    GATEWAY_SESSION_SECRET: randomBytes(32).toString('base64'),
    GATEWAY_TOTP_KEY: totpKey.toString('base64'),
    GATEWAY_LOGIN_RATE_LIMIT: '10000',
    GATEWAY_LOG_LEVEL: 'silent',
    // One development gateway for every organisation, unless the test names one (org-gateways.test.ts).
    GATEWAY_ORGANISATION: '*',
    ...env,
  });
  // Silent unless MEDSHARE_TEST_GATEWAY_LOG names a level (`info` logs every request), to see why a test failed.
  const logger = pino({ level: process.env.MEDSHARE_TEST_GATEWAY_LOG ?? 'silent' });
  const gateway = await buildGateway(config, plan, logger, 'test');
  await gateway.announce();
  const server: Server = gateway.app.listen(config.port, '127.0.0.1');
  if (onWire) {
    let connections = 0;
    server.on('connection', (socket) => {
      const id = ++connections;
      socket.on('data', (chunk: Buffer) => {
        onWire(id, chunk);
      });
    });
  }
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  return {
    url: config.publicOrigin,
    plan,
    gateway,
    databaseFile: config.databaseFile,
    totpKey,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
      gateway.close();
    },
  };
}

const totp = new TotpService();

/** A TOTP code for a step the gateway has not accepted yet, waiting for the next step if need be. */
export async function freshCode(secret: string, lastStep: { value: number }): Promise<string> {
  for (;;) {
    const now = Math.floor(Date.now() / 30_000);
    // Never the previous step: it would expire if the clock turned before the gateway checked it.
    const step = Math.max(now, lastStep.value + 1);
    if (step <= now + 1) {
      lastStep.value = step;
      return totp.currentCode(secret, new Date(step * 30_000 + 1000));
    }
    await sleep(1000);
  }
}

/** A user of the tests, with their own device keys and their own HTTP client. */
export interface TestUser {
  name: string;
  org: OrgPlan;
  role: string;
  client: GatewayClient;
  keys: DeviceKeys;
  totpSecret: string;
  lastStep: { value: number };
  password: string;
  agent: DeviceAgent;
  /** The key file an operator's CLI would use (operators only). */
  keyFile?: string;
}

/** Signs in a test user afresh (password, then a fresh TOTP code), on a new client unless given one. */
export async function signIn(
  gw: RunningGateway,
  user: TestUser,
  client?: GatewayClient,
): Promise<GatewayClient> {
  const c = client ?? new GatewayClient(gw.url, { cookieJar: cookieJar(), uploader: nodeUploader });
  await c.login(user.org.mspId, user.name, user.password);
  await c.confirmTotp(await freshCode(user.totpSecret, user.lastStep));
  return c;
}

/**
 * Creates an operator of `org` from one of its network admin identities (the
 * first, or with `second` the second: `admin2`), as `medshare-gateway-admin
 * bootstrap-operator` does (their key file is written to a temporary
 * directory), and signs them in.
 */
export async function operatorOf(
  gw: RunningGateway,
  org: OrgPlan,
  agent: DeviceAgent,
  { second = false }: { second?: boolean } = {},
): Promise<TestUser> {
  const name = `${second ? 'admin2' : 'admin'}.${org.key}`;
  const password = `correct horse ${randomBytes(6).toString('base64url')} operator`;
  const keyFile = join(await mkdtemp(join(tmpdir(), 'medshare-operator-')), 'operator.json');
  const { totpSecret } = await bootstrapOperatorKeyFile({
    trustBundle: await trustBundleOf(gw.plan),
    database: gw.databaseFile,
    totpKey: gw.totpKey,
    gatewayUrl: gw.url,
    mspId: org.mspId,
    enrollmentId: name,
    adminMspDir: (second ? secondAdmin(org) : orgAdmin(org)).msp,
    keyFile,
    password,
  });
  const user: TestUser = {
    name,
    org,
    role: 'admin',
    client: new GatewayClient(gw.url, { cookieJar: cookieJar(), uploader: nodeUploader }),
    keys: await deviceKeysOf(await loadKeyFile(keyFile)),
    totpSecret,
    lastStep: { value: 0 },
    password,
    agent,
    keyFile,
  };
  await signIn(gw, user, user.client);
  // As the CLI does at an operator's first sign-in: an admin acts only through its own registry entry.
  await registerOwnKey(user.client, user.keys);
  return user;
}

/**
 * An operator registers a device at their CA; the device agent enrols and starts on loopback,
 * signing reports for the gateways at `audiences`.
 */
export async function startDeviceAgent(
  gw: RunningGateway,
  operator: TestUser,
  name: string,
  audiences: readonly string[] = [gw.url],
  port = 0,
): Promise<AgentServer> {
  const registration = await signRegistration(operator.keys.signer, {
    caName: operator.org.ca.name,
    enrollmentId: name,
    role: 'device',
  });
  const { secret } = await operator.client.registerDevice(registration);
  const keyDir = await mkdtemp(join(tmpdir(), 'medshare-device-'));
  await enrolDevice({ gatewayUrl: gw.url, mspId: operator.org.mspId, enrollmentId: name, secret, keyDir });
  const identity = await loadDeviceIdentity(keyDir);
  return startAgentServer({
    identity: { certificatePem: identity.certificatePem, privateKey: identity.privateKey },
    port,
    allowedOrigins: audiences,
  });
}

/**
 * The whole enrolment of a new user, as their device does it: the operator
 * invites them; their device makes its keys and CSR, enrols with a
 * passphrase-wrapped backup, confirms TOTP and registers on the ledger.
 */
export async function enrolTestUser(
  gw: RunningGateway,
  operator: TestUser,
  name: string,
  role: RegistrableRole,
  agent: DeviceAgent,
): Promise<TestUser> {
  const registration = await signRegistration(operator.keys.signer, {
    caName: operator.org.ca.name,
    enrollmentId: name,
    role,
  });
  const { secret } = await operator.client.registerUser(registration);
  const client = new GatewayClient(gw.url, { cookieJar: cookieJar(), uploader: nodeUploader });
  const password = `correct horse ${randomBytes(6).toString('base64url')} staple`;
  // The invitation names the trust the operator's key file pinned.
  const pending = await startEnrolment(client, {
    mspId: operator.org.mspId,
    enrollmentId: name,
    secret,
    password,
    trustDigest: trustBundleDigest(operator.keys.trust),
  });
  const user: TestUser = {
    name,
    org: operator.org,
    role,
    client,
    keys: pending.keys,
    totpSecret: pending.totp.secret,
    lastStep: { value: 0 },
    password,
    agent,
  };
  await finishEnrolment(client, pending, {
    code: await freshCode(user.totpSecret, user.lastStep),
    backupPassphrase: 'a passphrase for tests',
    backupCost: 2 ** 12,
  });
  return user;
}

export { httpDeviceAgent };

/**
 * Puts `org`'s emergency key set in force: both operators hold a share, both
 * must contribute to release a key (the first proposes, the second approves).
 */
export async function emergencyKeySetOf(first: TestUser, second: TestUser): Promise<void> {
  const { keySet } = await proposeKeySet(
    first.client,
    first.keys,
    [first.keys.userId, second.keys.userId],
    2,
  );
  await approveKeySet(second.client, second.keys, keySet.version);
}

/** Both holders contribute their share of `recordId`'s key to `doctorId`'s opening: the key is released. */
export async function releaseByHolders(
  holders: readonly TestUser[],
  recordId: string,
  doctorId: string,
): Promise<void> {
  for (const holder of holders) await contributeKeyShare(holder.client, holder.keys, recordId, doctorId);
}
