import express from 'express';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { pino } from 'pino';
import type { Account, AccountStore } from '../../auth';
import { GatewayClient } from '../../client/api-client';
import type { NetworkHealth } from '../../client/network-health';
import type { ClusterPeer, PinStatus } from '../../storage/cluster-client';
import { errorHandler, type ErrorBody } from '../errors';
import { ApiRoutes } from '../routes';
import { checkNetwork, operatorHealthRoutes, type ClusterProbe, type NetworkProbes } from './operator-health';

const NOW = new Date('2026-03-01T10:00:00.000Z');
const ORGS = [
  { mspId: 'HospitalAMSP', key: 'hospital-a' },
  { mspId: 'HospitalBMSP', key: 'hospital-b' },
] as const;
const PEER_A = '12D3KooWA';
const PEER_B = '12D3KooWB';

function pin(cid: string, statuses: Record<string, string>): PinStatus {
  return {
    cid,
    allocations: Object.keys(statuses),
    peers: Object.entries(statuses).map(([peerId, status]) => ({ peerId, peerName: '', status, error: '' })),
  };
}

const PINS = [
  pin('bafy1', { [PEER_A]: 'pinned', [PEER_B]: 'pinned' }),
  pin('bafy2', { [PEER_A]: 'pinned', [PEER_B]: 'pinning' }),
];

function cluster(peers: ClusterPeer[], pins: PinStatus[] = PINS): ClusterProbe {
  return { peers: () => Promise.resolve(peers), statusAll: () => Promise.resolve(pins) };
}

const HEALTHY_PEERS: ClusterPeer[] = [
  { id: PEER_A, peerName: 'hospital-a', error: '' },
  { id: PEER_B, peerName: 'hospital-b', error: '' },
];

/** A network where everything answers, with `overrides` replacing some probes. */
function probes(overrides: Partial<NetworkProbes> = {}): NetworkProbes {
  return {
    replicationMin: 2,
    peers: ORGS.map((o) => ({ mspId: o.mspId, name: `peer0.${o.key}` })),
    ledgerReadiness: () => Promise.resolve({ HospitalAMSP: true, HospitalBMSP: true }),
    cas: ORGS.map((o) => ({ mspId: o.mspId, name: `ca-${o.key}`, ready: () => Promise.resolve(true) })),
    clusters: ORGS.map((o) => ({
      mspId: o.mspId,
      name: `cluster.${o.key}`,
      peerName: o.key,
      client: () => Promise.resolve(cluster(HEALTHY_PEERS)),
    })),
    database: () => true,
    ...overrides,
  };
}

describe('checkNetwork', () => {
  it('reports every peer, CA, cluster peer (with its pins) and the database', async () => {
    const health = await checkNetwork(probes(), () => NOW);
    assert.equal(health.checkedAt, NOW.toISOString());
    assert.equal(health.status, 'ok');
    assert.equal(health.replicationMin, 2);
    assert.deepEqual(
      health.components.map((c) => [c.kind, c.name, c.mspId, c.status]),
      [
        ['peer', 'peer0.hospital-a', 'HospitalAMSP', 'ok'],
        ['peer', 'peer0.hospital-b', 'HospitalBMSP', 'ok'],
        ['ca', 'ca-hospital-a', 'HospitalAMSP', 'ok'],
        ['ca', 'ca-hospital-b', 'HospitalBMSP', 'ok'],
        ['storage', 'cluster.hospital-a', 'HospitalAMSP', 'ok'],
        ['storage', 'cluster.hospital-b', 'HospitalBMSP', 'ok'],
        ['database', 'gateway database', '', 'ok'],
      ],
    );
    const storage = health.components.filter((c) => c.kind === 'storage');
    assert.deepEqual(
      storage.map((c) => [c.peerId, c.pins]),
      [
        [PEER_A, 2],
        [PEER_B, 1],
      ],
    );
    assert.ok(health.components.every((c) => c.detail === ''));
  });

  it('reports each failing component down with a reason, and the rest still up', async () => {
    const health = await checkNetwork(
      probes({
        ledgerReadiness: () => Promise.resolve({ HospitalAMSP: true, HospitalBMSP: false }),
        cas: [
          { mspId: 'HospitalAMSP', name: 'ca-hospital-a', ready: () => Promise.reject(new Error('refused')) },
          { mspId: 'HospitalBMSP', name: 'ca-hospital-b', ready: () => Promise.resolve(true) },
        ],
        clusters: [
          {
            mspId: 'HospitalAMSP',
            name: 'cluster.hospital-a',
            peerName: 'hospital-a',
            client: () => Promise.reject(new Error('connect ECONNREFUSED')),
          },
          {
            mspId: 'HospitalBMSP',
            name: 'cluster.hospital-b',
            peerName: 'hospital-b',
            client: () =>
              Promise.resolve(
                cluster([
                  { id: PEER_A, peerName: 'hospital-a', error: 'context deadline exceeded' },
                  { id: PEER_B, peerName: 'hospital-b', error: '' },
                  { id: '12D3KooWC', peerName: 'spare', error: '' },
                ]),
              ),
          },
        ],
        database: () => {
          throw new Error('database is locked');
        },
      }),
      () => NOW,
    );
    assert.equal(health.status, 'degraded');
    const byName = new Map(health.components.map((c) => [c.name, c]));
    assert.equal(byName.get('peer0.hospital-a')?.status, 'ok');
    assert.equal(byName.get('peer0.hospital-b')?.status, 'down');
    assert.match(byName.get('peer0.hospital-b')?.detail ?? '', /gRPC/);
    assert.equal(byName.get('ca-hospital-a')?.status, 'down');
    assert.equal(byName.get('ca-hospital-b')?.status, 'ok');
    assert.equal(byName.get('cluster.hospital-a')?.status, 'down');
    assert.match(byName.get('cluster.hospital-a')?.detail ?? '', /REST API: connect ECONNREFUSED/);
    assert.equal(byName.get('cluster.hospital-a')?.peerId, PEER_A);
    assert.equal(byName.get('cluster.hospital-b')?.status, 'ok');
    assert.equal(byName.get('cluster.hospital-b')?.pins, 1);
    // A cluster peer of no organisation the gateway serves is still listed.
    assert.equal(byName.get('spare')?.status, 'ok');
    assert.equal(byName.get('spare')?.mspId, '');
    assert.equal(byName.get('spare')?.pins, 0);
    assert.equal(byName.get('gateway database')?.status, 'down');
    assert.equal(byName.get('gateway database')?.detail, 'database is locked');
  });

  it('reports every peer down when the readiness check itself fails', async () => {
    const health = await checkNetwork(
      probes({ ledgerReadiness: () => Promise.reject(new Error('channel closed')) }),
      () => NOW,
    );
    const peers = health.components.filter((c) => c.kind === 'peer');
    assert.deepEqual(
      peers.map((c) => [c.status, c.detail]),
      [
        ['down', 'channel closed'],
        ['down', 'channel closed'],
      ],
    );
  });

  it('reports a cluster peer no one lists as down', async () => {
    const health = await checkNetwork(
      probes({
        clusters: [
          {
            mspId: 'HospitalAMSP',
            name: 'cluster.hospital-a',
            peerName: 'hospital-a',
            client: () => Promise.resolve(cluster([{ id: PEER_A, peerName: 'hospital-a', error: '' }])),
          },
          {
            mspId: 'HospitalBMSP',
            name: 'cluster.hospital-b',
            peerName: 'hospital-b',
            client: () => Promise.reject(new Error('no credentials file')),
          },
        ],
      }),
      () => NOW,
    );
    const b = health.components.find((c) => c.name === 'cluster.hospital-b');
    assert.ok(b);
    assert.equal(b.status, 'down');
    assert.equal(b.peerId, '');
    assert.equal(b.pins, 0);
  });
});

describe('GET /api/operator/health', () => {
  const accounts: Record<string, Partial<Account>> = {
    op: { accountId: 'op', mspId: 'HospitalAMSP', role: 'admin', status: 'active' },
    doc: { accountId: 'doc', mspId: 'HospitalAMSP', role: 'doctor', status: 'active' },
  };
  const store = { byId: (id: string) => accounts[id] } as unknown as AccountStore;

  /** Serves the route to `accountId`'s session while `call` asks it at the server's base URL. */
  async function serve<T>(accountId: string | undefined, call: (baseUrl: string) => Promise<T>): Promise<T> {
    const app = express();
    app.use((req, res, next) => {
      res.locals.requestId = 'req-1';
      // Just what signedIn reads of a session: its auth and a way to end it.
      Object.assign(req, {
        session: {
          ...(accountId ? { auth: { accountId } } : {}),
          destroy: (done: (error?: unknown) => void) => {
            done();
          },
        },
      });
      next();
    });
    const api = new ApiRoutes();
    operatorHealthRoutes(api, { accounts: store, network: probes() });
    app.use(api.router);
    app.use(errorHandler(pino({ level: 'silent' }), []));
    const server = createServer(app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = String((server.address() as AddressInfo).port);
      return await call(`http://127.0.0.1:${port}`);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) =>
        server.close(() => {
          resolve();
        }),
      );
    }
  }

  function get(accountId: string | undefined): Promise<Response> {
    return serve(accountId, async (baseUrl) => {
      const response = await fetch(`${baseUrl}/api/operator/health`);
      await response.clone().arrayBuffer();
      return response;
    });
  }

  it('answers an operator with the health of every component, uncached', async () => {
    const response = await get('op');
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('cache-control'), 'no-store');
    const health = (await response.json()) as NetworkHealth;
    assert.equal(health.status, 'ok');
    assert.equal(health.components.length, 7);
  });

  it('is what GatewayClient.networkHealth reads', async () => {
    const health = await serve('op', (baseUrl) => new GatewayClient(baseUrl).networkHealth());
    assert.equal(health.status, 'ok');
    assert.equal(health.components.length, 7);
  });

  it('refuses anyone but an operator', async () => {
    const doctor = await get('doc');
    assert.equal(doctor.status, 403);
    assert.equal(((await doctor.json()) as ErrorBody).error.code, 'OPERATORS_ONLY');
    const anonymous = await get(undefined);
    assert.equal(anonymous.status, 401);
    assert.equal(((await anonymous.json()) as ErrorBody).error.code, 'NOT_SIGNED_IN');
  });
});
