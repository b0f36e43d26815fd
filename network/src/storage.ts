import { randomBytes } from 'node:crypto';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Binaries } from './binaries';
import { NetworkError } from './errors';
import type { Readiness } from './health';
import { service, type Service } from './services';
import { runStep, scriptPath } from './steps';
import { storageNodes, type NetworkPlan, type StoragePlan } from './topology';

/** What a gateway needs to reach its organisation's cluster peer: written beside the peer, mode 0600. */
export interface ClusterApiCredentials {
  url: string;
  username: string;
  password: string;
}

type Json = Record<string, unknown>;

const MESH_TIMEOUT_MS = 60_000;

const exists = (file: string): Promise<boolean> =>
  access(file).then(
    () => true,
    () => false,
  );

async function writeSecret(file: string, content: string): Promise<void> {
  await mkdir(dirname(file), { recursive: true });
  await writeFile(file, content, { mode: 0o600 });
}

async function readJson(file: string): Promise<Json> {
  return JSON.parse(await readFile(file, 'utf8')) as Json;
}

const obj = (parent: Json, key: string): Json => {
  const value = parent[key];
  if (typeof value !== 'object' || value === null) {
    throw new NetworkError('STEP_FAILED', `unexpected configuration: ${key} is missing`);
  }
  return value as Json;
};

const tcp = (port: number): string => `/ip4/127.0.0.1/tcp/${port}`;

/** kubo's settings: loopback only, TCP only, no routing, relays, NAT traversal, telemetry or public peers; peered with the other nodes. */
function configureKubo(
  config: Json,
  self: StoragePlan,
  others: { id: string; storage: StoragePlan }[],
): Json {
  const swarm = obj(config, 'Swarm');
  const datastore = obj(config, 'Datastore');
  const spec = obj(datastore, 'Spec');
  const mounts = (spec.mounts as Json[] | undefined) ?? [];
  return {
    ...config,
    Addresses: {
      ...obj(config, 'Addresses'),
      Swarm: [tcp(self.swarmPort)],
      API: tcp(self.rpcPort),
      Gateway: [],
      Announce: [],
      NoAnnounce: [],
      AppendAnnounce: [],
    },
    Bootstrap: [],
    Plugins: { Plugins: { telemetry: { Config: { Mode: 'off' } } } },
    Discovery: { MDNS: { Enabled: false } },
    Routing: { ...obj(config, 'Routing'), Type: 'none', DelegatedRouters: [] },
    AutoNAT: { ServiceMode: 'disabled' },
    AutoConf: { Enabled: false },
    Provide: { ...obj(config, 'Provide'), Enabled: false },
    Peering: {
      Peers: others.map((o) => ({ ID: o.id, Addrs: [tcp(o.storage.swarmPort)] })),
    },
    Swarm: {
      ...swarm,
      DisableNatPortMap: true,
      EnableHolePunching: false,
      RelayClient: { Enabled: false },
      RelayService: { Enabled: false },
      Transports: {
        ...obj(swarm, 'Transports'),
        Network: { TCP: true, QUIC: false, WebTransport: false, WebRTCDirect: false, Websocket: false },
      },
    },
    // Acknowledged content must survive a crash: flatfs writes are synced.
    Datastore: {
      ...datastore,
      Spec: { ...spec, mounts: mounts.map((m) => (m.type === 'flatfs' ? { ...m, sync: true } : m)) },
    },
  };
}

/** The cluster peer's settings: private swarm (cluster secret), trusted peers, authenticated REST API, loopback only. */
function configureCluster(
  config: Json,
  plan: NetworkPlan,
  self: { orgKey: string; storage: StoragePlan },
  peers: { id: string; storage: StoragePlan }[],
  secret: string,
  credentials: ClusterApiCredentials,
): Json {
  const cluster = obj(config, 'cluster');
  const api = obj(config, 'api');
  const restapi = obj(api, 'restapi');
  const connector = obj(config, 'ipfs_connector');
  const consensus = obj(config, 'consensus');
  const monitor = obj(config, 'monitor');
  const others = peers.filter((p) => p.storage !== self.storage);
  return {
    ...config,
    cluster: {
      ...cluster,
      peername: self.orgKey,
      secret,
      listen_multiaddress: [tcp(self.storage.clusterPort)],
      enable_relay_hop: false,
      mdns_interval: '0s',
      replication_factor_min: plan.storage.replicationMin,
      replication_factor_max: plan.storage.replicationMax,
      // Notice a stopped peer within seconds and retry failed pins every minute, not every 12.
      monitor_ping_interval: '2s',
      peer_watch_interval: '2s',
      pin_recover_interval: '1m0s',
      peer_addresses: others.map((o) => `${tcp(o.storage.clusterPort)}/p2p/${o.id}`),
    },
    consensus: {
      ...consensus,
      crdt: {
        ...obj(consensus, 'crdt'),
        cluster_name: plan.name,
        trusted_peers: peers.map((p) => p.id),
        // A pin announcement lost on pubsub (a mesh not yet formed, a busy peer) otherwise
        // reaches that peer only at the next rebroadcast, a minute later by default.
        rebroadcast_interval: '5s',
      },
    },
    api: {
      ipfsproxy: {
        ...obj(api, 'ipfsproxy'),
        listen_multiaddress: tcp(self.storage.proxyPort),
        node_multiaddress: tcp(self.storage.rpcPort),
      },
      restapi: {
        ...restapi,
        http_listen_multiaddress: tcp(self.storage.restPort),
        basic_auth_credentials: { [credentials.username]: credentials.password },
        cors_allowed_origins: [],
      },
    },
    ipfs_connector: {
      ipfshttp: { ...obj(connector, 'ipfshttp'), node_multiaddress: tcp(self.storage.rpcPort) },
    },
    monitor: { pubsubmon: { ...obj(monitor, 'pubsubmon'), check_interval: '2s' } },
    // A stopped peer's metrics expire in seconds, so the allocator stops choosing it.
    informer: Object.fromEntries(
      Object.entries(obj(config, 'informer')).map(([name, settings]) => [
        name,
        { ...(settings as Json), metric_ttl: '5s' },
      ]),
    ),
  };
}

/**
 * Prepares the private IPFS Cluster on first start (swarm key, cluster secret,
 * one kubo repository and one cluster peer per peer organisation, each
 * configured for the others) and returns the services that run it.
 */
export async function prepareStorage(
  plan: NetworkPlan,
  bin: Binaries,
  repoDir: string,
): Promise<{ ipfs: Service[]; clusters: Service[] }> {
  const nodes = storageNodes(plan);
  if (!(await exists(plan.storage.swarmKeyFile))) {
    await writeSecret(
      plan.storage.swarmKeyFile,
      `/key/swarm/psk/1.0.0/\n/base16/\n${randomBytes(32).toString('hex')}\n`,
    );
    await writeSecret(plan.storage.clusterSecretFile, randomBytes(32).toString('hex'));
  }
  const fresh = [];
  for (const { org, storage } of nodes) {
    if (await exists(join(storage.clusterDir, 'service.json'))) continue;
    fresh.push({ org, storage });
    await mkdir(storage.ipfsDir, { recursive: true });
    await runStep(`initialising kubo for ${org.key}`, scriptPath(repoDir, 'ipfs-init.sh'), {
      KUBO_BIN: bin.kuboBin,
      IPFS_PATH: storage.ipfsDir,
      SWARM_KEY_FILE: plan.storage.swarmKeyFile,
    });
    await runStep(`initialising the cluster peer of ${org.key}`, scriptPath(repoDir, 'cluster-init.sh'), {
      IPFS_CLUSTER_BIN: bin.ipfsClusterBin,
      IPFS_CLUSTER_PATH: storage.clusterDir,
    });
    const credentials: ClusterApiCredentials = {
      url: storage.restUrl,
      username: org.key,
      password: randomBytes(24).toString('base64url'),
    };
    await writeSecret(storage.credentialsFile, JSON.stringify(credentials, null, 2));
  }
  if (fresh.length > 0) {
    const kuboIds = await Promise.all(
      nodes.map(async ({ storage }) => ({
        storage,
        id: String(obj(await readJson(join(storage.ipfsDir, 'config')), 'Identity').PeerID),
      })),
    );
    const clusterIds = await Promise.all(
      nodes.map(async ({ storage }) => ({
        storage,
        id: String((await readJson(join(storage.clusterDir, 'identity.json'))).id),
      })),
    );
    const secret = (await readFile(plan.storage.clusterSecretFile, 'utf8')).trim();
    for (const { org, storage } of fresh) {
      const kuboFile = join(storage.ipfsDir, 'config');
      const kubo = configureKubo(
        await readJson(kuboFile),
        storage,
        kuboIds.filter((k) => k.storage !== storage),
      );
      await writeSecret(kuboFile, JSON.stringify(kubo, null, 2));
      const clusterFile = join(storage.clusterDir, 'service.json');
      const credentials = JSON.parse(
        await readFile(storage.credentialsFile, 'utf8'),
      ) as ClusterApiCredentials;
      const cluster = configureCluster(
        await readJson(clusterFile),
        plan,
        { orgKey: org.key, storage },
        clusterIds,
        secret,
        credentials,
      );
      await writeSecret(clusterFile, JSON.stringify(cluster, null, 2));
    }
  }
  return {
    ipfs: nodes.map(({ storage }) =>
      service(
        plan,
        storage.ipfsName,
        'ipfs.sh',
        { KUBO_BIN: bin.kuboBin, IPFS_PATH: storage.ipfsDir },
        ipfsReadiness(storage),
        repoDir,
      ),
    ),
    clusters: nodes.map(({ storage }) =>
      service(
        plan,
        storage.clusterName,
        'cluster.sh',
        { IPFS_CLUSTER_BIN: bin.ipfsClusterBin, IPFS_CLUSTER_PATH: storage.clusterDir },
        clusterReadiness(storage),
        repoDir,
      ),
    ),
  };
}

/** kubo is ready when its RPC API answers (RPC calls are POST only). */
export function ipfsReadiness(storage: StoragePlan): Readiness {
  return { kind: 'healthz', method: 'POST', url: `http://127.0.0.1:${storage.rpcPort}/api/v0/version` };
}

/** A cluster peer is ready when its REST API's unauthenticated /health answers. */
export function clusterReadiness(storage: StoragePlan): Readiness {
  return { kind: 'healthz', url: `${storage.restUrl}/health` };
}

/** Reads the REST API credentials a storage node's gateway uses. */
export async function clusterCredentials(storage: StoragePlan): Promise<ClusterApiCredentials> {
  return JSON.parse(await readFile(storage.credentialsFile, 'utf8')) as ClusterApiCredentials;
}

async function clusterPeerCount(storage: StoragePlan): Promise<number> {
  const { username, password } = await clusterCredentials(storage);
  const response = await fetch(`${storage.restUrl}/peers`, {
    headers: { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}` },
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) return 0;
  const lines = (await response.text()).split('\n').filter((l) => l.trim().length > 0);
  return lines.filter((l) => {
    const peer = JSON.parse(l) as { id?: string; error?: string };
    return peer.id !== undefined && !peer.error;
  }).length;
}

async function kuboPeerCount(storage: StoragePlan): Promise<number> {
  const response = await fetch(`http://127.0.0.1:${storage.rpcPort}/api/v0/swarm/peers`, {
    method: 'POST',
    signal: AbortSignal.timeout(5000),
  });
  if (!response.ok) return 0;
  const body = (await response.json()) as { Peers?: unknown[] | null };
  return body.Peers?.length ?? 0;
}

/**
 * Waits until every cluster peer sees all the others and every kubo is
 * connected to all the others, so that the first add can meet the replication factor.
 */
export async function waitForStorageMesh(plan: NetworkPlan): Promise<void> {
  const nodes = storageNodes(plan);
  const deadline = Date.now() + MESH_TIMEOUT_MS;
  for (;;) {
    const counts = await Promise.all(
      nodes.map(async ({ storage }) => {
        const [cluster, kubo] = await Promise.all([
          clusterPeerCount(storage).catch(() => 0),
          kuboPeerCount(storage).catch(() => 0),
        ]);
        return { storage, cluster, kubo };
      }),
    );
    const lagging = counts.filter((c) => c.cluster < nodes.length || c.kubo < nodes.length - 1);
    if (lagging.length === 0) return;
    if (Date.now() > deadline) {
      throw new NetworkError(
        'NODE_FAILED',
        `the storage cluster did not connect within ${MESH_TIMEOUT_MS / 1000} s: ${lagging
          .map((c) => `${c.storage.clusterName} sees ${c.cluster} cluster peers, kubo ${c.kubo} swarm peers`)
          .join('; ')}`,
      );
    }
    await sleep(250);
  }
}
