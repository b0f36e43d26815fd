import { createRequire } from 'node:module';
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { locateBinaries, type Binaries } from './binaries';
import { collectionsConfig } from './collections';
import { writeConfigFiles } from './config-files';
import { loadDescription } from './description';
import {
  adminCliEnv,
  caEnv,
  chaincodeServerEnv,
  genesisBlock,
  ordererEnv,
  osnadminEnv,
  peerEnv,
} from './env';
import { NetworkError } from './errors';
import { probe, type Readiness } from './health';
import { bootstrapSecret, enroll, networkIdentities } from './identities';
import { chaincodeClientIdentity, orgAdmin, planFile, processFiles } from './layout';
import { assertPortsFree } from './ports';
import { renderEnvFile, runningPid, stopProcess } from './processes';
import { service, startAndWait, type Service } from './services';
import { clusterReadiness, ipfsReadiness, prepareStorage, waitForStorageMesh } from './storage';
import { runStep, scriptPath } from './steps';
import {
  allOrgs,
  planNetwork,
  portsOf,
  storageNodes,
  type Consensus,
  type NetworkPlan,
  type NodePlan,
  type OrgPlan,
} from './topology';

/** Options shared by every network command. */
export interface NetworkOptions {
  repoDir: string;
  descriptionFile: string;
  basePort?: number;
  consensus?: Consensus;
  runDir?: string;
  /** Progress lines for an operator. */
  report?: (line: string) => void;
}

/** Resolves the plan: the one saved by a previous `up` in the run directory, else the description's. */
export async function resolvePlan(options: NetworkOptions): Promise<NetworkPlan> {
  const described = planNetwork(await loadDescription(options.descriptionFile), options);
  const saved = await readSavedPlan(described.runDir);
  if (saved && options.consensus && saved.consensus !== options.consensus) {
    throw new NetworkError(
      'USAGE',
      `${saved.runDir} holds a ${saved.consensus} network; run network:down -- --clean first or choose another --run-dir`,
    );
  }
  return saved ?? described;
}

async function readSavedPlan(runDir: string): Promise<NetworkPlan | undefined> {
  try {
    return JSON.parse(await readFile(planFile(runDir), 'utf8')) as NetworkPlan;
  } catch {
    return undefined;
  }
}

async function caServices(plan: NetworkPlan, bin: Binaries, repoDir: string): Promise<Service[]> {
  return Promise.all(
    allOrgs(plan).map(async (org) =>
      service(
        plan,
        org.ca.name,
        'ca.sh',
        caEnv(plan, org, bin, `registrar:${await bootstrapSecret(org)}`),
        caReadiness(org),
        repoDir,
      ),
    ),
  );
}

async function nodeServices(plan: NetworkPlan, bin: Binaries, repoDir: string): Promise<Service[]> {
  const services: Service[] = [];
  for (const org of allOrgs(plan)) {
    const tls = await operationsClientTls(org);
    for (const node of org.nodes) {
      const env = node.type === 'orderer' ? ordererEnv(plan, node, bin) : peerEnv(plan, org, node, bin);
      services.push(service(plan, node.name, `${node.type}.sh`, env, nodeReadiness(node, tls), repoDir));
    }
  }
  return services;
}

/** A CA is ready when its operations endpoint's /healthz answers (plain HTTP, loopback). */
function caReadiness(org: OrgPlan): Readiness {
  return { kind: 'healthz', url: `http://127.0.0.1:${org.ca.opsPort}/healthz` };
}

/** A peer or orderer is ready when /healthz answers over mutual TLS. */
function nodeReadiness(node: NodePlan, tls?: { ca: Buffer; cert: Buffer; key: Buffer }): Readiness {
  return { kind: 'healthz', url: `https://127.0.0.1:${node.opsPort}/healthz`, ...(tls ? { tls } : {}) };
}

/** A chaincode server is ready when its port accepts connections (it has no health endpoint). */
function chaincodeServerReadiness(org: OrgPlan): Readiness {
  return { kind: 'tcp', port: org.chaincodeServerPort ?? 0 };
}

/** Operations endpoints require a client certificate of the organisation: its admin's TLS pair. */
async function operationsClientTls(org: OrgPlan): Promise<{ ca: Buffer; cert: Buffer; key: Buffer }> {
  const admin = orgAdmin(org);
  return {
    ca: await readFile(org.caCertFile),
    cert: await readFile(admin.tls.cert),
    key: await readFile(admin.tls.key),
  };
}

/** Writes an organisation's channel MSP: its CA root (also its TLS root) and NodeOU config. */
async function writeOrgMsp(org: OrgPlan): Promise<void> {
  const adminConfig = join(org.dir, 'users', 'admin', 'msp', 'config.yaml');
  for (const sub of ['cacerts', 'tlscacerts']) {
    await mkdir(join(org.mspDir, sub), { recursive: true });
    await copyFile(org.caCertFile, join(org.mspDir, sub, 'ca.pem'));
  }
  await copyFile(adminConfig, join(org.mspDir, 'config.yaml'));
}

async function deployChaincode(
  plan: NetworkPlan,
  bin: Binaries,
  repoDir: string,
  report: (l: string) => void,
): Promise<Service[]> {
  const cc = plan.chaincode;
  const ccDir = join(plan.runDir, 'chaincode');
  const cli = join(
    dirname(createRequire(join(cc.dir, 'package.json')).resolve('fabric-shim/package.json')),
    'cli.js',
  );
  const servers: Service[] = [];
  const packageIds = new Map<string, string>();
  for (const org of plan.peerOrgs) {
    const pkgDir = join(ccDir, org.key);
    const pkgFile = join(ccDir, `${cc.label}-${org.key}.tar.gz`);
    await mkdir(pkgDir, { recursive: true });
    const client = chaincodeClientIdentity(org);
    const connection = {
      address: `127.0.0.1:${String(org.chaincodeServerPort)}`,
      dial_timeout: '10s',
      tls_required: true,
      client_auth_required: true,
      root_cert: await readFile(org.caCertFile, 'utf8'),
      client_key: await readFile(client.tls.key, 'utf8'),
      client_cert: await readFile(client.tls.cert, 'utf8'),
    };
    await writeFile(join(pkgDir, 'connection.json'), JSON.stringify(connection, null, 2), { mode: 0o600 });
    await writeFile(join(pkgDir, 'metadata.json'), JSON.stringify({ type: 'ccaas', label: cc.label }));
    await runStep(`packaging ${cc.label} for ${org.key}`, scriptPath(repoDir, 'cc-package.sh'), {
      PKG_DIR: pkgDir,
      PKG_FILE: pkgFile,
    });
    for (const peer of org.nodes) {
      const out = await runStep(
        `installing ${cc.label} on ${peer.name}`,
        scriptPath(repoDir, 'cc-install.sh'),
        {
          ...adminCliEnv(plan, org, peer, bin),
          PKG_FILE: pkgFile,
        },
      );
      packageIds.set(org.key, out.trim().split('\n').at(-1) ?? '');
    }
    const packageId = packageIds.get(org.key) ?? '';
    servers.push(
      service(
        plan,
        `ccaas.${org.key}`,
        'ccaas.sh',
        { ...chaincodeServerEnv(plan, org, packageId), CHAINCODE_CLI: cli },
        chaincodeServerReadiness(org),
        repoDir,
      ),
    );
    report(`  ${cc.label} installed for ${org.key} (${packageId})`);
  }
  await startAndWait(servers, report);
  const collections = join(ccDir, 'collections.json');
  await writeFile(collections, JSON.stringify(collectionsConfig(plan), null, 2));
  const lifecycle = {
    CC_NAME: cc.name,
    CC_VERSION: cc.version,
    CC_SEQUENCE: String(cc.sequence),
    COLLECTIONS_CONFIG: collections,
  };
  for (const org of plan.peerOrgs) {
    const peer = org.nodes[0];
    if (!peer) continue;
    await runStep(
      `approving ${cc.name} for ${org.mspId}`,
      scriptPath(repoDir, 'cc-approve.sh'),
      {
        ...adminCliEnv(plan, org, peer, bin),
        ...lifecycle,
        PACKAGE_ID: packageIds.get(org.key) ?? '',
      },
      { retryForMs: 30_000 },
    );
    report(`  ${cc.name} approved by ${org.mspId}`);
  }
  const first = plan.peerOrgs[0];
  const firstPeer = first?.nodes[0];
  if (first && firstPeer) {
    await runStep(
      `committing ${cc.name}`,
      scriptPath(repoDir, 'cc-commit.sh'),
      {
        ...adminCliEnv(plan, first, firstPeer, bin),
        ...lifecycle,
        PEER_ADDRESSES: plan.peerOrgs.map((o) => o.nodes[0]?.address ?? '').join(' '),
        PEER_TLS_ROOTS: plan.peerOrgs.map((o) => o.caCertFile).join(' '),
      },
      { retryForMs: 30_000 },
    );
    report(`  ${cc.name} ${cc.version} (sequence ${cc.sequence}) committed on ${plan.channel}`);
  }
  for (const org of plan.peerOrgs) {
    const admin = orgAdmin(org);
    for (const peer of org.nodes) {
      await runStep(
        `waiting for ${peer.name} to discover endorsers of ${cc.name}`,
        scriptPath(repoDir, 'wait-endorsers.sh'),
        {
          ...adminCliEnv(plan, org, peer, bin),
          CC_NAME: cc.name,
          USER_KEY: join(admin.msp, 'keystore', 'key.pem'),
          USER_CERT: admin.signCert,
        },
        { retryForMs: 90_000 },
      );
    }
  }
  report(`  endorsers of ${cc.name} discoverable from every peer`);
  return servers;
}

/** Result of {@link up}. */
export interface UpResult {
  plan: NetworkPlan;
  alreadyRunning: boolean;
}

/**
 * Brings the network up: CAs, identities, orderers, peers, channel, chaincode.
 * Idempotent: a running network is left alone; a stopped one is restarted from
 * its data. On any failure everything started is stopped again.
 */
export async function up(options: NetworkOptions): Promise<UpResult> {
  const report = options.report ?? (() => undefined);
  const plan = await resolvePlan(options);
  const running = await runningProcesses(plan.runDir);
  if (running.length > 0) {
    const expected = expectedProcessCount(plan);
    if (running.length === expected) {
      return { plan, alreadyRunning: true };
    }
    throw new NetworkError(
      'PARTIALLY_RUNNING',
      `${running.length} of ${expected} processes of ${plan.runDir} are running; run network:down first`,
    );
  }
  await assertPortsFree(portsOf(plan));
  const bin = await locateBinaries(options.repoDir);
  try {
    await mkdir(plan.runDir, { recursive: true });
    await writeConfigFiles(plan, bin);
    report(`Starting certificate authorities`);
    await startAndWait(await caServices(plan, bin, options.repoDir), report);
    report(`Enrolling identities through the CAs`);
    for (const org of allOrgs(plan)) {
      await mkdir(dirname(org.caCertFile), { recursive: true });
      await copyFile(join(org.ca.home, 'ca-cert.pem'), org.caCertFile);
      for (const request of networkIdentities(org, await bootstrapSecret(org))) {
        await enroll(options.repoDir, org, bin, request);
      }
      await writeOrgMsp(org);
    }
    report(`Starting orderers and peers`);
    await startAndWait(await nodeServices(plan, bin, options.repoDir), report);
    report(`Creating channel ${plan.channel}`);
    await runStep('writing the genesis block', scriptPath(options.repoDir, 'genesis-block.sh'), {
      FABRIC_BIN: bin.fabricBin,
      CONFIGTX_DIR: plan.configDir,
      CHANNEL: plan.channel,
      GENESIS_BLOCK: genesisBlock(plan),
    });
    for (const node of plan.ordererOrg.nodes) {
      await runStep(
        `joining ${node.name} to ${plan.channel}`,
        scriptPath(options.repoDir, 'orderer-join.sh'),
        osnadminEnv(plan, node, bin),
      );
    }
    for (const org of plan.peerOrgs) {
      for (const peer of org.nodes) {
        await runStep(
          `joining ${peer.name} to ${plan.channel}`,
          scriptPath(options.repoDir, 'peer-join.sh'),
          {
            ...adminCliEnv(plan, org, peer, bin),
            GENESIS_BLOCK: genesisBlock(plan),
          },
          { retryForMs: 15_000 },
        );
      }
      const first = org.nodes[0];
      if (first) {
        await writeFile(
          join(plan.runDir, 'env', `${org.key}-admin.env`),
          renderEnvFile(adminCliEnv(plan, org, first, bin)),
        );
      }
    }
    report(`Starting the private IPFS Cluster`);
    const storage = await prepareStorage(plan, bin, options.repoDir);
    await startAndWait(storage.ipfs, report);
    await startAndWait(storage.clusters, report);
    await waitForStorageMesh(plan);
    report(
      `  ${storage.clusters.length} storage peers connected; content pinned on ${plan.storage.replicationMin} to ${plan.storage.replicationMax}`,
    );
    report(`Deploying chaincode ${plan.chaincode.name} as a service`);
    await deployChaincode(plan, bin, options.repoDir, report);
    await writeFile(planFile(plan.runDir), JSON.stringify(plan, null, 2));
    return { plan, alreadyRunning: false };
  } catch (error) {
    report(`Start-up failed; stopping everything started so far`);
    await stopAll(plan.runDir);
    throw error;
  }
}

function expectedProcessCount(plan: NetworkPlan): number {
  const orgs = allOrgs(plan);
  return (
    orgs.length +
    orgs.reduce((n, o) => n + o.nodes.length, 0) +
    plan.peerOrgs.length +
    2 * storageNodes(plan).length
  );
}

async function pidFiles(runDir: string): Promise<string[]> {
  const dir = join(runDir, 'pids');
  try {
    return (await readdir(dir)).filter((f) => f.endsWith('.pid')).map((f) => join(dir, f));
  } catch {
    return [];
  }
}

/** Names of the processes of a run directory that are running now. */
export async function runningProcesses(runDir: string): Promise<string[]> {
  const names: string[] = [];
  for (const file of await pidFiles(runDir)) {
    if ((await runningPid(file)) !== undefined) names.push(file.replace(/^.*\//, '').replace(/\.pid$/, ''));
  }
  return names.sort();
}

// The script that runs a process, by name prefix, in stop order: clients before what they depend on, CAs last.
const SCRIPTS: [string, string][] = [
  ['ccaas.', 'ccaas.sh'],
  ['cluster.', 'cluster.sh'],
  ['ipfs.', 'ipfs.sh'],
  ['peer', 'peer.sh'],
  ['orderer', 'orderer.sh'],
  ['ca-', 'ca.sh'],
];

/**
 * Stops every process this network started, and only those (by pid file and
 * kernel start time), in the order of {@link SCRIPTS}.
 */
export async function stopAll(runDir: string): Promise<string[]> {
  const files = await pidFiles(runDir);
  const rank = (f: string): number => {
    const name = f.replace(/^.*\//, '');
    const i = SCRIPTS.findIndex(([prefix]) => name.startsWith(prefix));
    return i === -1 ? SCRIPTS.length : i;
  };
  const stopped: string[] = [];
  for (let r = 0; r <= SCRIPTS.length; r++) {
    const batch = files.filter((f) => rank(f) === r);
    const results = await Promise.all(batch.map(async (f) => ((await stopProcess(f)) ? f : undefined)));
    stopped.push(...results.filter((f): f is string => f !== undefined));
  }
  return stopped.map((f) => f.replace(/^.*\//, '').replace(/\.pid$/, ''));
}

/** Stops the network; with `clean`, deletes its run directory too. */
export async function down(
  options: NetworkOptions & { clean?: boolean },
): Promise<{ runDir: string; stopped: string[] }> {
  const runDir = (await resolvePlanQuietly(options)).runDir;
  const stopped = await stopAll(runDir);
  if (options.clean) {
    await rm(runDir, { recursive: true, force: true });
  }
  return { runDir, stopped };
}

async function resolvePlanQuietly(options: NetworkOptions): Promise<NetworkPlan> {
  return resolvePlan({ ...options, consensus: undefined });
}

/** State of one process for `status`. */
export interface ProcessStatus {
  name: string;
  pid?: number;
  ready: boolean;
}

/** Every process of an organisation with how to tell it is ready. */
async function processesOf(org: OrgPlan): Promise<[string, Readiness][]> {
  const tls = await operationsClientTls(org).catch(() => undefined);
  return [
    [org.ca.name, caReadiness(org)],
    ...org.nodes.map((n): [string, Readiness] => [n.name, nodeReadiness(n, tls)]),
    ...(org.chaincodeServerPort !== undefined
      ? [[`ccaas.${org.key}`, chaincodeServerReadiness(org)] as [string, Readiness]]
      : []),
    ...(org.storage
      ? ([
          [org.storage.ipfsName, ipfsReadiness(org.storage)],
          [org.storage.clusterName, clusterReadiness(org.storage)],
        ] as [string, Readiness][])
      : []),
  ];
}

async function findProcess(plan: NetworkPlan, name: string): Promise<Readiness> {
  for (const org of allOrgs(plan)) {
    const entry = (await processesOf(org)).find(([n]) => n === name);
    if (entry) return entry[1];
  }
  throw new NetworkError('USAGE', `${name} is not a process of ${plan.runDir}`);
}

/** Stops one process of a running network (to take a node down for maintenance, or in tests). */
export async function stopNode(options: NetworkOptions, name: string): Promise<boolean> {
  const plan = await resolvePlanQuietly(options);
  await findProcess(plan, name);
  return stopProcess(processFiles(plan, name).pid);
}

/** The plan of a network that has been brought up; NOT_RUNNING when none was. */
export async function resolveRunningPlan(options: NetworkOptions): Promise<NetworkPlan> {
  const plan = await resolvePlanQuietly(options);
  const saved = await readSavedPlan(plan.runDir);
  if (saved === undefined) {
    throw new NetworkError('NOT_RUNNING', `no network has been brought up in ${plan.runDir}`);
  }
  return saved;
}

/** Starts one stopped process of a network that has been up, from its env file, and waits until it is ready. */
export async function startNode(options: NetworkOptions, name: string): Promise<void> {
  const plan = await resolveRunningPlan(options);
  const readiness = await findProcess(plan, name);
  const script = SCRIPTS.find(([prefix]) => name.startsWith(prefix))?.[1] ?? '';
  await startAndWait(
    [
      {
        spec: {
          name,
          script: scriptPath(options.repoDir, script),
          files: processFiles(plan, name),
          cwd: plan.runDir,
        },
        readiness,
      },
    ],
    options.report ?? (() => undefined),
  );
}

/** Status of every process of the network. */
export async function status(
  options: NetworkOptions,
): Promise<{ plan: NetworkPlan; processes: ProcessStatus[]; saved: boolean }> {
  const plan = await resolvePlanQuietly(options);
  const saved = (await readSavedPlan(plan.runDir)) !== undefined;
  const processes: ProcessStatus[] = [];
  for (const org of allOrgs(plan)) {
    const entries = await processesOf(org);
    for (const [name, readiness] of entries) {
      const pid = await runningPid(processFiles(plan, name).pid);
      processes.push({
        name,
        ...(pid !== undefined ? { pid } : {}),
        ready: pid !== undefined && (await probe(readiness)),
      });
    }
  }
  return { plan, processes, saved };
}
