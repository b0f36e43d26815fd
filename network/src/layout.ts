import { join } from 'node:path';
import type { NetworkPlan, NodePlan, OrgPlan } from './topology';

/** Files of an enrolled identity: its MSP directory and its TLS key pair. */
export interface IdentityFiles {
  dir: string;
  msp: string;
  signCert: string;
  tls: TlsFiles;
}

/** A TLS key pair and the CA that issued it. */
export interface TlsFiles {
  cert: string;
  key: string;
  ca: string;
}

/** Normalised file names written by network/scripts/enroll.sh. */
export function identityFiles(dir: string): IdentityFiles {
  return {
    dir,
    msp: join(dir, 'msp'),
    signCert: join(dir, 'msp', 'signcerts', 'cert.pem'),
    tls: {
      cert: join(dir, 'tls', 'cert.pem'),
      key: join(dir, 'tls', 'key.pem'),
      ca: join(dir, 'tls', 'ca.pem'),
    },
  };
}

/** A peer's or orderer's TLS files. */
export function nodeTls(node: NodePlan): TlsFiles {
  return identityFiles(node.dir).tls;
}

/** An organisation's admin (certificate attribute role=admin, NodeOU admin). */
export function orgAdmin(org: OrgPlan): IdentityFiles {
  return identityFiles(join(org.dir, 'users', 'admin'));
}

/**
 * A peer organisation's second operator (certificate attribute role=admin):
 * an emergency key set needs two admins' approval and two holders' shares,
 * so that no single operator can release or replace the emergency key.
 */
export function secondAdmin(org: OrgPlan): IdentityFiles {
  return identityFiles(join(org.dir, 'users', 'admin2'));
}

/**
 * A peer organisation's gateway service (certificate attribute role=gateway):
 * announces its key to the chaincode, signs attestations and records refusals.
 */
export function gatewayIdentity(org: OrgPlan): IdentityFiles {
  return identityFiles(join(org.dir, 'users', 'gateway'));
}

/** The CA's bootstrap registrar, used to register every other identity. */
export function registrar(org: OrgPlan): IdentityFiles {
  return identityFiles(join(org.dir, 'users', 'registrar'));
}

/** The TLS identity of a peer organisation's chaincode server, and of the peer's client side. */
export function chaincodeServerIdentity(org: OrgPlan): IdentityFiles {
  return identityFiles(join(org.dir, 'ccaas', 'server'));
}

/** The client TLS identity the peer presents to its chaincode server. */
export function chaincodeClientIdentity(org: OrgPlan): IdentityFiles {
  return identityFiles(join(org.dir, 'ccaas', 'peer-client'));
}

/** Per-process files under the run directory. */
export function processFiles(plan: NetworkPlan, name: string): { env: string; log: string; pid: string } {
  return {
    env: join(plan.runDir, 'env', `${name}.env`),
    log: join(plan.runDir, 'logs', `${name}.log`),
    pid: join(plan.runDir, 'pids', `${name}.pid`),
  };
}

/** The resolved plan, written by `up` and read by `status` and `down`. */
export function planFile(runDir: string): string {
  return join(runDir, 'network.json');
}

/** The TLS root certificates of every organisation (each org's CA issues its TLS certificates). */
export function allTlsRoots(plan: NetworkPlan): string[] {
  return [plan.ordererOrg, ...plan.peerOrgs].map((o) => o.caCertFile);
}
