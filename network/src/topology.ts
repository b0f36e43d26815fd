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
      ...(role === 'peer' ? { chaincodeServerPort: base + 9 } : {}),
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
    ordererOrg: org(o.key, o.name, o.mspId, 'orderer', o.portOffset, ordererCount),
    peerOrgs: description.peerOrganisations.map((p) =>
      org(p.key, p.name, p.mspId, 'peer', p.portOffset, p.peers),
    ),
  };
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
  }
  return uses;
}

/** An organisation's identity directory (MSP and TLS material) for a user. */
export function userDir(org: OrgPlan, user: string): string {
  return join(org.dir, 'users', user);
}
