import { join, resolve } from 'node:path';
import type { ConsortiumDescription } from './description';

/** Which consensus the ordering service runs. */
export type Consensus = 'raft' | 'bft';

/** A port of the plan and what listens on it. */
export interface PortUse {
  port: number;
  owner: string;
  purpose: string;
}

/** An organisation's Fabric CA. */
export interface CaPlan {
  name: string;
  port: number;
  opsPort: number;
  url: string;
  home: string;
}

/** A peer or orderer. */
export interface NodePlan {
  /** Unique name, for example `peer0.hospital-a` or `orderer1.orderer`. */
  name: string;
  orgKey: string;
  type: 'peer' | 'orderer';
  port: number;
  opsPort: number;
  /** Peers: chaincode listener. */
  chaincodePort?: number;
  /** Orderers: channel participation (osnadmin) endpoint. */
  adminPort?: number;
  address: string;
  dir: string;
}

/** A peer organisation's storage node: a kubo daemon and its IPFS Cluster peer. */
export interface StoragePlan {
  /** Process names, for example `ipfs.hospital-a` and `cluster.hospital-a`. */
  ipfsName: string;
  clusterName: string;
  /** kubo's libp2p swarm (private network) and RPC API. */
  swarmPort: number;
  rpcPort: number;
  /** The cluster peer's libp2p swarm, REST API and IPFS proxy. */
  clusterPort: number;
  restPort: number;
  proxyPort: number;
  /** IPFS_PATH of the kubo repository and the cluster peer's config directory. */
  ipfsDir: string;
  clusterDir: string;
  /** The REST API's URL and the JSON file holding its basic-auth credentials. */
  restUrl: string;
  credentialsFile: string;
}

/** An organisation and everything it runs. */
export interface OrgPlan {
  key: string;
  name: string;
  mspId: string;
  role: 'orderer' | 'peer';
  dir: string;
  /** The organisation's channel MSP (CA and TLS CA certificates, NodeOU config). */
  mspDir: string;
  /** The root certificate of the organisation's CA, which also issues its TLS certificates. */
  caCertFile: string;
  ca: CaPlan;
  nodes: NodePlan[];
  /** Peer organisations: the chaincode-as-a-service server. */
  chaincodeServerPort?: number;
  /** Peer organisations: their storage node of the private IPFS Cluster. */
  storage?: StoragePlan;
}

/** Everything `up` starts and where its state lives. */
export interface NetworkPlan {
  name: string;
  channel: string;
  consensus: Consensus;
  basePort: number;
  runDir: string;
  configDir: string;
  batch: ConsortiumDescription['batch'];
  chaincode: ConsortiumDescription['chaincode'] & { label: string; dir: string };
  /** The private IPFS Cluster: replication factors and the shared secrets' files. */
  storage: ConsortiumDescription['storage'] & { swarmKeyFile: string; clusterSecretFile: string };
  ordererOrg: OrgPlan;
  peerOrgs: OrgPlan[];
}

/** Overrides given on the command line. */
export interface PlanOptions {
  basePort?: number;
  consensus?: Consensus;
  /** State directory; default `<repo>/.run/<name>-<basePort>`. */
  runDir?: string;
  repoDir: string;
}

const LOOPBACK = '127.0.0.1';

/** Derives the full network plan from a validated description. */
export function planNetwork(description: ConsortiumDescription, options: PlanOptions): NetworkPlan {
  const basePort = options.basePort ?? description.basePort;
  const consensus = options.consensus ?? description.consensus;
  const runDir = resolve(options.runDir ?? join(options.repoDir, '.run', `${description.name}-${basePort}`));

  const org = (
    key: string,
    name: string,
    mspId: string,
    role: OrgPlan['role'],
    offset: number,
    nodeCount: number,
  ): OrgPlan => {
    const dir = join(runDir, 'orgs', key);
    const base = basePort + offset;
    const nodes = Array.from({ length: nodeCount }, (_, i): NodePlan => {
      const slot = base + 10 * (i + 1);
      const nodeName = role === 'peer' ? `peer${i}.${key}` : `orderer${i + 1}.${key}`;
      return {
        name: nodeName,
        orgKey: key,
        type: role,
        port: slot,
        opsPort: slot + 2,
        ...(role === 'peer' ? { chaincodePort: slot + 1 } : { adminPort: slot + 3 }),
        address: `${LOOPBACK}:${slot}`,
        dir: join(dir, 'nodes', nodeName),
      };
    });
    return {
      key,
      name,
      mspId,
      role,
      dir,
      mspDir: join(dir, 'msp'),
      caCertFile: join(dir, 'msp', 'cacerts', 'ca.pem'),
      ca: {
        name: `ca-${key}`,
        port: base,
        opsPort: base + 1,
        url: `https://${LOOPBACK}:${base}`,
        home: join(dir, 'ca'),
      },
      nodes,
      ...(role === 'peer' ? { chaincodeServerPort: base + 9, storage: storagePlan(key, dir, base) } : {}),
    };
  };

  const o = description.ordererOrganisation;
  const ordererCount = consensus === 'raft' ? o.raftNodes : o.bftNodes;
  return {
    name: description.name,
    channel: description.channel,
    consensus,
    basePort,
    runDir,
    configDir: join(runDir, 'config'),
    batch: description.batch,
    chaincode: {
      ...description.chaincode,
      label: `${description.chaincode.name}_${description.chaincode.version}`,
      dir: resolve(options.repoDir, description.chaincode.path),
    },
    storage: {
      ...description.storage,
      swarmKeyFile: join(runDir, 'storage', 'swarm.key'),
      clusterSecretFile: join(runDir, 'storage', 'cluster-secret'),
    },
    ordererOrg: org(o.key, o.name, o.mspId, 'orderer', o.portOffset, ordererCount),
    peerOrgs: description.peerOrganisations.map((p) =>
      org(p.key, p.name, p.mspId, 'peer', p.portOffset, p.peers),
    ),
  };
}

function storagePlan(key: string, orgDir: string, base: number): StoragePlan {
  const dir = join(orgDir, 'storage');
  return {
    ipfsName: `ipfs.${key}`,
    clusterName: `cluster.${key}`,
    swarmPort: base + 50,
    rpcPort: base + 51,
    clusterPort: base + 53,
    restPort: base + 54,
    proxyPort: base + 55,
    ipfsDir: join(dir, 'ipfs'),
    clusterDir: join(dir, 'cluster'),
    restUrl: `http://${LOOPBACK}:${base + 54}`,
    credentialsFile: join(dir, 'cluster-api.json'),
  };
}

/** The storage nodes of the network, one per peer organisation, with their organisation. */
export function storageNodes(plan: NetworkPlan): { org: OrgPlan; storage: StoragePlan }[] {
  return plan.peerOrgs.flatMap((org) => (org.storage ? [{ org, storage: org.storage }] : []));
}

/** All organisations, orderer organisation first. */
export function allOrgs(plan: NetworkPlan): OrgPlan[] {
  return [plan.ordererOrg, ...plan.peerOrgs];
}

/** All peers of the network. */
export function allPeers(plan: NetworkPlan): NodePlan[] {
  return plan.peerOrgs.flatMap((o) => o.nodes);
}

/** Every port the plan listens on, with its owner, in a stable order. */
export function portsOf(plan: NetworkPlan): PortUse[] {
  const uses: PortUse[] = [];
  for (const org of allOrgs(plan)) {
    uses.push({ port: org.ca.port, owner: org.ca.name, purpose: 'listen' });
    uses.push({ port: org.ca.opsPort, owner: org.ca.name, purpose: 'operations' });
    for (const node of org.nodes) {
      uses.push({ port: node.port, owner: node.name, purpose: 'listen' });
      if (node.chaincodePort !== undefined) {
        uses.push({ port: node.chaincodePort, owner: node.name, purpose: 'chaincode' });
      }
      uses.push({ port: node.opsPort, owner: node.name, purpose: 'operations' });
      if (node.adminPort !== undefined) {
        uses.push({ port: node.adminPort, owner: node.name, purpose: 'admin' });
      }
    }
    if (org.chaincodeServerPort !== undefined) {
      uses.push({ port: org.chaincodeServerPort, owner: `ccaas.${org.key}`, purpose: 'chaincode server' });
    }
    const st = org.storage;
    if (st) {
      uses.push({ port: st.swarmPort, owner: st.ipfsName, purpose: 'swarm' });
      uses.push({ port: st.rpcPort, owner: st.ipfsName, purpose: 'rpc' });
      uses.push({ port: st.clusterPort, owner: st.clusterName, purpose: 'cluster swarm' });
      uses.push({ port: st.restPort, owner: st.clusterName, purpose: 'rest api' });
      uses.push({ port: st.proxyPort, owner: st.clusterName, purpose: 'ipfs proxy' });
    }
  }
  return uses;
}

/** An organisation's identity directory (MSP and TLS material) for a user. */
export function userDir(org: OrgPlan, user: string): string {
  return join(org.dir, 'users', user);
}
