import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Binaries } from './binaries';
import { registrarEnv } from './env';
import {
  chaincodeClientIdentity,
  chaincodeServerIdentity,
  gatewayIdentity,
  identityFiles,
  orgAdmin,
  registrar,
  secondAdmin,
} from './layout';
import type { IdentityFiles } from './layout';
import { runStep, scriptPath } from './steps';
import type { NetworkPlan, OrgPlan } from './topology';

/** Roles a user certificate can carry in its `role` attribute. */
export const ROLES = ['admin', 'technologist', 'doctor', 'patient', 'auditor'] as const;
/** A MedShare role. */
export type Role = (typeof ROLES)[number];

/** What to register and enroll. */
export interface IdentityRequest {
  name: string;
  type: 'registrar' | 'client' | 'admin' | 'peer' | 'orderer';
  dir: string;
  /** Certificate attributes, for example `role=doctor:ecert`. */
  attrs?: string;
  /** Host names for a TLS certificate; none means no TLS certificate. */
  tlsHosts?: string;
  secret?: string;
}

const secret = (): string => randomBytes(18).toString('base64url');

/** The CA's bootstrap registrar secret, created once and kept (mode 0600) beside the CA's state. */
export async function bootstrapSecret(org: OrgPlan): Promise<string> {
  const file = join(org.dir, 'ca-bootstrap.secret');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const value = secret();
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, `${value}\n`, { mode: 0o600 });
    return value;
  }
}

/** Registers (unless it exists) and enrolls one identity through the organisation's CA. */
export async function enroll(
  repoDir: string,
  org: OrgPlan,
  bin: Binaries,
  request: IdentityRequest,
): Promise<IdentityFiles> {
  await runStep(`enrolling ${request.name} with ${org.ca.name}`, scriptPath(repoDir, 'enroll.sh'), {
    ...registrarEnv(org, bin),
    ID_NAME: request.name,
    ID_SECRET: request.secret ?? secret(),
    ID_TYPE: request.type,
    ID_ATTRS: request.attrs ?? '',
    OUT_DIR: request.dir,
    TLS_HOSTS: request.tlsHosts ?? '',
  });
  return identityFiles(request.dir);
}

const LOCAL_HOSTS = 'localhost,127.0.0.1';

/**
 * The attribute that confirms an admin or gateway role (the chaincode's
 * POWERS_ATTRIBUTE). Only the CA's bootstrap registrar, whose
 * `hf.Registrar.Attributes` is `*`, can issue it: an organisation's admin may
 * register only `role`, so the CA itself refuses it any other attribute.
 */
export const POWERS_ATTRIBUTE = 'powers';

/** The certificate attributes of an admin or gateway identity: its role and the powers that confirm it. */
export function privilegedAttrs(role: 'admin' | 'gateway'): string {
  return `role=${role}:ecert,${POWERS_ATTRIBUTE}=${role}:ecert`;
}

/**
 * Attributes of an organisation's admin: `role=admin` with its powers in its
 * certificate, and CA registrar rights to register client identities (users,
 * devices) carrying a `role` attribute and no other, and to revoke them.
 * fabric-ca-client reads `--id.attrs` as comma-separated `name=value[:ecert]`
 * entries; a value containing a comma would have to be double-quoted
 * (`"hf.Registrar.Roles=client,peer"`).
 */
export const ADMIN_ATTRS = [
  privilegedAttrs('admin'),
  'hf.Registrar.Roles=client',
  'hf.Registrar.Attributes=role',
  'hf.Revoker=true',
].join(',');

/** Every identity the network itself needs, for one organisation. */
export function networkIdentities(org: OrgPlan, registrarSecret: string): IdentityRequest[] {
  const requests: IdentityRequest[] = [
    { name: 'registrar', type: 'registrar', dir: registrar(org).dir, secret: registrarSecret },
    {
      name: `admin.${org.key}`,
      type: 'admin',
      dir: orgAdmin(org).dir,
      attrs: ADMIN_ATTRS,
      tlsHosts: LOCAL_HOSTS,
    },
    ...org.nodes.map((n): IdentityRequest => ({
      name: n.name,
      type: n.type,
      dir: n.dir,
      tlsHosts: `${LOCAL_HOSTS},${n.name}`,
    })),
  ];
  if (org.role === 'peer') {
    requests.push(
      {
        name: `ccaas.${org.key}`,
        type: 'client',
        dir: chaincodeServerIdentity(org).dir,
        tlsHosts: LOCAL_HOSTS,
      },
      {
        name: `ccaas-client.${org.key}`,
        type: 'client',
        dir: chaincodeClientIdentity(org).dir,
        tlsHosts: LOCAL_HOSTS,
      },
      {
        name: `gateway.${org.key}`,
        type: 'client',
        dir: gatewayIdentity(org).dir,
        attrs: privilegedAttrs('gateway'),
        tlsHosts: LOCAL_HOSTS,
      },
      // Two operators from the start: emergency key sets need two admins (see secondAdmin).
      {
        name: `admin2.${org.key}`,
        type: 'admin',
        dir: secondAdmin(org).dir,
        attrs: ADMIN_ATTRS,
        tlsHosts: LOCAL_HOSTS,
      },
    );
  }
  return requests;
}

/**
 * Registers and enrolls a user of a peer organisation with a `role`
 * certificate attribute (issued into the enrolment certificate), with a TLS
 * client certificate. Used by tests and by the demo set-up.
 */
export async function enrollUser(
  repoDir: string,
  plan: NetworkPlan,
  bin: Binaries,
  orgKey: string,
  name: string,
  role: Role,
): Promise<IdentityFiles> {
  const org = plan.peerOrgs.find((o) => o.key === orgKey);
  if (!org) throw new Error(`no peer organisation ${orgKey}`);
  return enroll(repoDir, org, bin, {
    name,
    type: role === 'admin' ? 'admin' : 'client',
    dir: join(org.dir, 'users', name),
    attrs: role === 'admin' ? privilegedAttrs('admin') : `role=${role}:ecert`,
    tlsHosts: LOCAL_HOSTS,
  });
}

/** The roles {@link addPrivilegedIdentity} creates. */
export const PRIVILEGED_ROLES = ['admin', 'gateway'] as const;
/** An admin or gateway role. */
export type PrivilegedRole = (typeof PRIVILEGED_ROLES)[number];

/**
 * Creates an admin or gateway identity of an organisation, the only way
 * there is: registered and enrolled by the CA's bootstrap registrar, the one
 * registrar that may issue the powers attribute. An admin is a Fabric admin
 * (NodeOU `admin`) and, like the first one, a CA registrar of clinical users;
 * a gateway is a client. Nothing is registered on the ledger here: an admin
 * registers itself at its first sign-in, a gateway announces itself at start.
 */
export async function addPrivilegedIdentity(
  repoDir: string,
  org: OrgPlan,
  bin: Binaries,
  name: string,
  role: PrivilegedRole,
): Promise<IdentityFiles> {
  return enroll(repoDir, org, bin, {
    name,
    type: role === 'admin' ? 'admin' : 'client',
    dir: join(org.dir, 'users', name),
    attrs: role === 'admin' ? ADMIN_ATTRS : privilegedAttrs('gateway'),
    tlsHosts: LOCAL_HOSTS,
  });
}
