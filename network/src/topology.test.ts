import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { configtxDocument } from './configtx';
import { validateDescription, type ConsortiumDescription } from './description';
import { allPeers, planNetwork, portsOf, storageNodes } from './topology';

const description = (): ConsortiumDescription =>
  validateDescription(parse(readFileSync(resolve(__dirname, '..', 'consortium.yaml'), 'utf8')));

describe('network plan', () => {
  it('derives every port from the base port and organisation offsets, without collisions', () => {
    const plan = planNetwork(description(), { repoDir: '/repo' });
    const ports = portsOf(plan).map((p) => p.port);
    assert.equal(new Set(ports).size, ports.length);
    assert.equal(plan.peerOrgs[0]?.nodes[0]?.address, '127.0.0.1:7110');
    assert.equal(plan.ordererOrg.nodes[0]?.adminPort, 7013);
    assert.equal(plan.runDir, '/repo/.run/medshare-7000');
  });

  it('shifts every port with --base-port and keeps state apart', () => {
    const a = planNetwork(description(), { repoDir: '/repo' });
    const b = planNetwork(description(), { repoDir: '/repo', basePort: 9000 });
    assert.deepEqual(
      portsOf(b).map((p) => p.port),
      portsOf(a).map((p) => p.port + 2000),
    );
    assert.notEqual(a.runDir, b.runDir);
  });

  it('runs 3 Raft orderers or 4 SmartBFT orderers', () => {
    assert.equal(planNetwork(description(), { repoDir: '/r' }).ordererOrg.nodes.length, 3);
    assert.equal(planNetwork(description(), { repoDir: '/r', consensus: 'bft' }).ordererOrg.nodes.length, 4);
  });

  it('supports two peers per organisation by changing the description', () => {
    const d = description();
    d.peerOrganisations = d.peerOrganisations.map((o) => ({ ...o, peers: 2 }));
    const plan = planNetwork(d, { repoDir: '/r' });
    assert.equal(allPeers(plan).length, 6);
    const ports = portsOf(plan).map((p) => p.port);
    assert.equal(new Set(ports).size, ports.length);
    assert.equal(plan.peerOrgs[0]?.nodes[1]?.name, 'peer1.hospital-a');
  });
});

describe('storage plan', () => {
  it('gives each peer organisation one kubo and one cluster peer, on loopback ports of its own', () => {
    const plan = planNetwork(description(), { repoDir: '/repo' });
    const nodes = storageNodes(plan);
    assert.deepEqual(
      nodes.map((n) => n.storage.clusterName),
      ['cluster.hospital-a', 'cluster.hospital-b', 'cluster.imaging'],
    );
    assert.equal(nodes[0]?.storage.restUrl, 'http://127.0.0.1:7154');
    assert.equal(nodes[2]?.storage.rpcPort, 7351);
    assert.equal(plan.ordererOrg.storage, undefined);
    assert.deepEqual([plan.storage.replicationMin, plan.storage.replicationMax], [2, 3]);
  });

  it('refuses a replication factor the cluster cannot meet', () => {
    const d = description();
    assert.throws(
      () => validateDescription({ ...d, storage: { replicationMin: 2, replicationMax: 4 } }),
      /storage.replicationMax: exceeds the 3 storage peers/,
    );
    assert.throws(
      () => validateDescription({ ...d, storage: { replicationMin: 3, replicationMax: 2 } }),
      /storage.replicationMin: exceeds replicationMax/,
    );
  });
});

describe('configtx document', () => {
  it('describes an etcdraft channel with anchor peers and NodeOU policies', () => {
    const doc = configtxDocument(planNetwork(description(), { repoDir: '/r' })) as {
      Profiles: {
        MedShareChannel: {
          Orderer: Record<string, unknown>;
          Application: { Organizations: Record<string, unknown>[] };
        };
      };
    };
    const profile = doc.Profiles.MedShareChannel;
    assert.equal(profile.Orderer.OrdererType, 'etcdraft');
    assert.equal((profile.Orderer.EtcdRaft as { Consenters: unknown[] }).Consenters.length, 3);
    const org = profile.Application.Organizations[0] as {
      AnchorPeers: unknown[];
      Policies: { Endorsement: { Rule: string } };
    };
    assert.deepEqual(org.AnchorPeers, [{ Host: '127.0.0.1', Port: 7110 }]);
    assert.equal(org.Policies.Endorsement.Rule, "OR('HospitalAMSP.peer')");
  });

  it('describes a SmartBFT channel with a consenter mapping of identities', () => {
    const doc = configtxDocument(planNetwork(description(), { repoDir: '/r', consensus: 'bft' })) as {
      Profiles: { MedShareChannel: { Orderer: Record<string, unknown> } };
    };
    const orderer = doc.Profiles.MedShareChannel.Orderer;
    assert.equal(orderer.OrdererType, 'BFT');
    const mapping = orderer.ConsenterMapping as { ID: number; MSPID: string; Identity: string }[];
    assert.deepEqual(
      mapping.map((m) => m.ID),
      [1, 2, 3, 4],
    );
    assert.ok(mapping.every((m) => m.MSPID === 'OrdererMSP' && m.Identity.endsWith('signcerts/cert.pem')));
    assert.equal(orderer.EtcdRaft, undefined);
  });
});
