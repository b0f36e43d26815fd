import { clusterCredentials, type NetworkPlan } from 'medshare-network';
import type { AccountStore } from '../../auth';
import type { ComponentHealth, NetworkHealth } from '../../client/network-health';
import { ClusterClient, type ClusterPeer, type PinStatus } from '../../storage/cluster-client';
import type { ApiRoutes } from '../routes';
import { signedInOperator } from '../signed-in';

/** The parts of an IPFS Cluster REST API the check asks (a {@link ClusterClient}). */
export interface ClusterProbe {
  peers(signal?: AbortSignal): Promise<ClusterPeer[]>;
  statusAll(signal?: AbortSignal): Promise<PinStatus[]>;
}

/** What the check asks, one probe per component; each answers for itself so that one failure hides nothing else. */
export interface NetworkProbes {
  replicationMin: number;
  /** Each organisation's peer: its name, and its organisation, which `ledgerReadiness` answers by. */
  peers: readonly { mspId: string; name: string }[];
  /** Whether the gateway's connection to each organisation's peer is ready, by MSP ID. */
  ledgerReadiness(timeoutMs: number): Promise<Readonly<Record<string, boolean>>>;
  cas: readonly { mspId: string; name: string; ready: () => Promise<boolean> }[];
  /**
   * Each organisation's cluster peer: `peerName` is its name in the cluster;
   * `client` its REST API, created on first use.
   */
  clusters: readonly { mspId: string; name: string; peerName: string; client: () => Promise<ClusterProbe> }[];
  database(): boolean;
}

/** What the network health route uses. */
export interface OperatorHealthDeps {
  accounts: AccountStore;
  network: NetworkProbes;
}

const LEDGER_TIMEOUT_MS = 2000;
const STORAGE_TIMEOUT_MS = 3000;

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

async function peerHealth(probes: NetworkProbes): Promise<ComponentHealth[]> {
  let ready: Readonly<Record<string, boolean>> = {};
  let failure = '';
  try {
    ready = await probes.ledgerReadiness(LEDGER_TIMEOUT_MS);
  } catch (error) {
    failure = messageOf(error);
  }
  return probes.peers.map(({ mspId, name }) => {
    const ok = ready[mspId] === true;
    return {
      kind: 'peer',
      name,
      mspId,
      status: ok ? 'ok' : 'down',
      detail: ok ? '' : failure || `no gRPC connection within ${LEDGER_TIMEOUT_MS / 1000} s`,
    };
  });
}

function caHealth(probes: NetworkProbes): Promise<ComponentHealth[]> {
  return Promise.all(
    probes.cas.map(async ({ mspId, name, ready }): Promise<ComponentHealth> => {
      const ok = await ready().catch(() => false);
      return {
        kind: 'ca',
        name,
        mspId,
        status: ok ? 'ok' : 'down',
        detail: ok ? '' : 'does not answer cainfo',
      };
    }),
  );
}

type ClusterView = { ok: true; peers: ClusterPeer[]; pins: PinStatus[] } | { ok: false; error: string };

async function clusterView(client: () => Promise<ClusterProbe>): Promise<ClusterView> {
  try {
    const api = await client();
    const signal = AbortSignal.timeout(STORAGE_TIMEOUT_MS);
    const [peers, pins] = await Promise.all([api.peers(signal), api.statusAll(signal)]);
    return { ok: true, peers, pins };
  } catch (error) {
    return { ok: false, error: messageOf(error) };
  }
}

const pinnedOn = (pins: readonly PinStatus[], peerId: string): number =>
  pins.filter((pin) => pin.peers.some((p) => p.peerId === peerId && p.status === 'pinned')).length;

/**
 * One component per cluster peer. An organisation's cluster peer is up when
 * its own REST API answers (the gateway stores through it) and no peer that
 * answered sees it with an error; its pins are counted from the cluster-wide
 * pin status, which any peer reports.
 */
async function storageHealth(probes: NetworkProbes): Promise<ComponentHealth[]> {
  const views = await Promise.all(probes.clusters.map((cluster) => clusterView(cluster.client)));
  const answered = views.filter((view) => view.ok);
  const pins = answered[0]?.pins ?? [];
  const seen = new Map<string, ClusterPeer[]>();
  for (const view of answered) {
    for (const peer of view.peers) seen.set(peer.id, [...(seen.get(peer.id) ?? []), peer]);
  }
  const sightingsOf = (peerName: string): [string, ClusterPeer[]] | undefined =>
    [...seen].find(([, sightings]) => sightings.some((p) => p.peerName === peerName));

  const known = new Set<string>();
  const components = probes.clusters.map((cluster, index): ComponentHealth => {
    const own = views[index];
    const sighting = sightingsOf(cluster.peerName);
    const peerId = sighting?.[0] ?? '';
    if (peerId) known.add(peerId);
    const errors = (sighting?.[1] ?? []).map((p) => p.error).filter(Boolean);
    const problem =
      own?.ok === false
        ? `REST API: ${own.error}`
        : (errors[0] ?? (sighting ? '' : 'not a member of the cluster any peer reports'));
    return {
      kind: 'storage',
      name: cluster.name,
      mspId: cluster.mspId,
      status: problem ? 'down' : 'ok',
      detail: problem,
      peerId,
      pins: peerId ? pinnedOn(pins, peerId) : 0,
    };
  });
  for (const [peerId, sightings] of seen) {
    if (known.has(peerId)) continue;
    const error = sightings.map((p) => p.error).find(Boolean) ?? '';
    components.push({
      kind: 'storage',
      name: sightings.map((p) => p.peerName).find(Boolean) ?? peerId,
      mspId: '',
      status: error ? 'down' : 'ok',
      detail: error || 'a cluster peer of no organisation this gateway serves',
      peerId,
      pins: pinnedOn(pins, peerId),
    });
  }
  return components;
}

function databaseHealth(probes: NetworkProbes): ComponentHealth {
  let ok = false;
  let detail = '';
  try {
    ok = probes.database();
    if (!ok) detail = 'the database did not answer a query';
  } catch (error) {
    detail = messageOf(error);
  }
  return { kind: 'database', name: 'gateway database', mspId: '', status: ok ? 'ok' : 'down', detail };
}

/** Asks every component at once; never throws: a component that fails is reported down. */
export async function checkNetwork(
  probes: NetworkProbes,
  now: () => Date = () => new Date(),
): Promise<NetworkHealth> {
  const checkedAt = now().toISOString();
  const [peers, cas, storage] = await Promise.all([
    peerHealth(probes),
    caHealth(probes),
    storageHealth(probes),
  ]);
  const components = [...peers, ...cas, ...storage, databaseHealth(probes)];
  return {
    checkedAt,
    status: components.every((c) => c.status === 'ok') ? 'ok' : 'degraded',
    replicationMin: probes.replicationMin,
    components,
  };
}

/** The probes of a running network's peers, CAs and cluster peers, as the gateway reaches them. */
export function networkProbes(
  plan: NetworkPlan,
  parts: {
    ledgerReadiness(timeoutMs: number): Promise<Readonly<Record<string, boolean>>>;
    caOf(mspId: string): { ready(): Promise<boolean>; endpoint: { caName: string } };
    database(): boolean;
  },
): NetworkProbes {
  const orgs = plan.peerOrgs;
  return {
    replicationMin: plan.storage.replicationMin,
    peers: orgs.map((org) => ({
      mspId: org.mspId,
      name: org.nodes.find((n) => n.type === 'peer')?.name ?? org.key,
    })),
    ledgerReadiness: (timeoutMs) => parts.ledgerReadiness(timeoutMs),
    cas: orgs.map((org) => {
      const ca = parts.caOf(org.mspId);
      return { mspId: org.mspId, name: ca.endpoint.caName, ready: () => ca.ready() };
    }),
    clusters: orgs.flatMap((org) => {
      const storage = org.storage;
      if (!storage) return [];
      let client: Promise<ClusterProbe> | undefined;
      return [
        {
          mspId: org.mspId,
          name: storage.clusterName,
          // The cluster's peers are named after their organisation's key (network/src/storage.ts).
          peerName: org.key,
          client() {
            client ??= clusterCredentials(storage).then(
              (credentials) => new ClusterClient(credentials),
              (error: unknown) => {
                client = undefined;
                throw error;
              },
            );
            return client;
          },
        },
      ];
    }),
    database: () => parts.database(),
  };
}

/** `GET /api/operator/health`: every peer, CA, cluster peer and the database, up or down, for operators. */
export function operatorHealthRoutes(api: ApiRoutes, deps: OperatorHealthDeps): void {
  api.add(
    {
      method: 'get',
      path: '/api/operator/health',
      tag: 'operator',
      summary:
        'Network health: each organisation\u2019s peer and CA, each storage cluster peer (with its pins) and the database',
      audience: 'operator',
      responses: {
        200: '{checkedAt, status: ok|degraded, replicationMin, components: [{kind: peer|ca|storage|database, name, mspId, status: ok|down, detail, peerId?, pins?}]}',
      },
    },
    async (req, res) => {
      await signedInOperator(req, deps.accounts);
      res.set('cache-control', 'no-store');
      res.json(await checkNetwork(deps.network));
    },
  );
}
