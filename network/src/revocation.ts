import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { locateBinaries, type Binaries } from './binaries';
import { adminCliEnv, registrarEnv } from './env';
import { NetworkError } from './errors';
import { resolveRunningPlan, type NetworkOptions } from './network';
import { runStep, scriptPath } from './steps';
import type { NetworkPlan, OrgPlan } from './topology';

/** What became of the revoked identity's registry entry on the ledger. */
export type LedgerSuspension =
  | { outcome: 'suspended'; userId: string }
  | { outcome: 'already suspended'; userId: string }
  | { outcome: 'not registered' }
  | { outcome: 'not suspended'; reason: string };

/** Result of {@link revoke}. */
export interface RevokeResult {
  org: string;
  name: string;
  /** Serial numbers (hex) of the certificates the CA revoked. */
  serials: string[];
  /** The CRL now in the organisation's MSP in the channel configuration. */
  crlFile: string;
  /** The channel configuration block that carries it. */
  configBlock: number;
  ledger: LedgerSuspension;
}

/**
 * Revokes an identity of a peer organisation so that Fabric itself refuses it:
 *
 * 1. the organisation's CA revokes every certificate of the identity (as the
 *    CA's bootstrap registrar) and generates its CRL;
 * 2. the CRL goes into the organisation's MSP in the channel configuration, by
 *    a config update signed by the organisation's admin: the MSP value's
 *    `mod_policy` is the organisation's own `Admins` policy, so that signature
 *    is what the channel policy asks for, and the orderers check it;
 * 3. the command waits until every peer has committed that configuration
 *    block, after which peers and orderers refuse the identity's transactions
 *    (and the gateways, which read the CRL from the same configuration, end
 *    its sessions);
 * 4. the identity's registry entry (user, admin or gateway), if it has one, is
 *    suspended in the admin's name, so the chaincode too refuses it, and no
 *    gateway attestation it signed is accepted any more.
 *
 * The admin that signs cannot revoke itself; another admin of the
 * organisation does that.
 */
export async function revoke(options: NetworkOptions, orgKey: string, name: string): Promise<RevokeResult> {
  const report = options.report ?? (() => undefined);
  const plan = await resolveRunningPlan(options);
  const org = plan.peerOrgs.find((o) => o.key === orgKey);
  if (!org) {
    const known = plan.peerOrgs.map((o) => o.key).join(', ');
    throw new NetworkError('USAGE', `no peer organisation ${orgKey}; one of ${known}`);
  }
  if (name === `admin.${org.key}` || name === 'registrar') {
    throw new NetworkError('USAGE', `${name} signs the revocation and cannot revoke itself`);
  }
  const peer = org.nodes[0];
  if (!peer) throw new NetworkError('USAGE', `${org.key} has no peer`);
  const bin = await locateBinaries(options.repoDir);
  const work = join(plan.runDir, 'revocations', org.key, `${name}-${String(Date.now())}`);
  const certsDir = join(work, 'certs');
  const crlFile = join(work, 'crl.pem');

  await runStep(`revoking ${name} at ${org.ca.name}`, scriptPath(options.repoDir, 'revoke.sh'), {
    ...registrarEnv(org, bin),
    ID_NAME: name,
    CERTS_DIR: certsDir,
    CRL_FILE: crlFile,
  });
  const certificates = await readCertificates(certsDir);
  report(
    `  ${org.ca.name} revoked ${String(certificates.length)} certificate(s) of ${name} and issued a CRL`,
  );

  const admin = adminCliEnv(plan, org, peer, bin);
  const configDir = join(work, 'config');
  await runStep('fetching the channel configuration', scriptPath(options.repoDir, 'config-fetch.sh'), {
    ...admin,
    CONFIG_DIR: configDir,
  });
  const block = JSON.parse(await readFile(join(configDir, 'config_block.json'), 'utf8')) as ConfigBlock;
  const config = configOf(block);
  await writeFile(join(configDir, 'config.json'), JSON.stringify(config));
  const crl = (await readFile(crlFile)).toString('base64');
  await writeFile(
    join(configDir, 'modified.json'),
    JSON.stringify(withRevocationList(config, org.mspId, crl)),
  );
  await runStep(
    `updating ${org.mspId}'s MSP in the configuration of ${plan.channel}`,
    scriptPath(options.repoDir, 'config-update.sh'),
    { ...admin, CONFIG_DIR: configDir },
  );
  const configBlock = await waitForNewConfig(plan, org, bin, options.repoDir, Number(block.header.number));
  report(`  the CRL is in ${org.mspId}'s MSP from configuration block ${String(configBlock)} on every peer`);

  const ledger = await suspendEntry(plan, org, bin, options.repoDir, certificates);
  return {
    org: org.key,
    name,
    serials: certificates.map((c) => c.serial),
    crlFile,
    configBlock,
    ledger,
  };
}

interface ConfigBlock {
  header: { number: string };
  data: { data: { payload: { data: { config?: ChannelConfig } } }[] };
}

/** The parts of a decoded channel configuration this module touches. */
interface ChannelConfig {
  channel_group: {
    groups: Record<string, { groups: Record<string, { values: Record<string, MspValue> }> }>;
  };
}

interface MspValue {
  value: { config: { revocation_list?: string[] } };
}

function configOf(block: ConfigBlock): ChannelConfig {
  const config = block.data.data[0]?.payload.data.config;
  if (!config) throw new NetworkError('STEP_FAILED', 'the configuration block holds no configuration');
  return config;
}

/**
 * The configuration with `crl` (base64 of the PEM) as the whole revocation
 * list of `mspId`'s MSP: a CA's CRL lists every certificate it revoked, so the
 * newest replaces the older ones.
 */
export function withRevocationList(config: ChannelConfig, mspId: string, crl: string): ChannelConfig {
  const copy = structuredClone(config);
  const msp = copy.channel_group.groups.Application?.groups[mspId]?.values.MSP;
  if (!msp)
    throw new NetworkError('STEP_FAILED', `${mspId} is not an application organisation of the channel`);
  msp.value.config.revocation_list = [crl];
  return copy;
}

interface RevokedCertificate {
  pem: string;
  serial: string;
}

async function readCertificates(dir: string): Promise<RevokedCertificate[]> {
  const { X509Certificate } = await import('node:crypto');
  const files = (await readdir(dir)).filter((f) => f.endsWith('.pem')).sort();
  return Promise.all(
    files.map(async (f) => {
      const pem = await readFile(join(dir, f), 'utf8');
      return { pem, serial: new X509Certificate(pem).serialNumber.toLowerCase() };
    }),
  );
}

/** Waits until every peer of every organisation has committed a configuration block after `previous`. */
async function waitForNewConfig(
  plan: NetworkPlan,
  org: OrgPlan,
  bin: Binaries,
  repoDir: string,
  previous: number,
): Promise<number> {
  const first = org.nodes[0];
  if (!first) throw new NetworkError('USAGE', `${org.key} has no peer`);
  const configDir = join(plan.runDir, 'revocations', org.key, 'latest-config');
  const deadline = Date.now() + 60_000;
  let latest = previous;
  while (latest <= previous) {
    if (Date.now() > deadline) {
      throw new NetworkError(
        'STEP_FAILED',
        'the channel configuration update did not reach the ordering service',
      );
    }
    await runStep('fetching the channel configuration', scriptPath(repoDir, 'config-fetch.sh'), {
      ...adminCliEnv(plan, org, first, bin),
      CONFIG_DIR: configDir,
    });
    const block = JSON.parse(await readFile(join(configDir, 'config_block.json'), 'utf8')) as ConfigBlock;
    latest = Number(block.header.number);
    if (latest <= previous) await sleep(500);
  }
  for (const peerOrg of plan.peerOrgs) {
    for (const peer of peerOrg.nodes) {
      for (;;) {
        const height = Number(
          (
            await runStep(`reading the height of ${peer.name}`, scriptPath(repoDir, 'channel-height.sh'), {
              ...adminCliEnv(plan, peerOrg, peer, bin),
            })
          ).trim(),
        );
        if (height > latest) break;
        if (Date.now() > deadline) {
          throw new NetworkError(
            'STEP_FAILED',
            `${peer.name} has not committed configuration block ${String(latest)}`,
          );
        }
        await sleep(300);
      }
    }
  }
  return latest;
}

/**
 * Suspends the registry entry of the revoked identity, in the organisation
 * admin's name, endorsed by a peer of every organisation. The admin must have
 * registered itself (an operator does at first sign-in); otherwise the entry
 * is left for an operator to suspend, and the result says so.
 */
async function suspendEntry(
  plan: NetworkPlan,
  org: OrgPlan,
  bin: Binaries,
  repoDir: string,
  certificates: RevokedCertificate[],
): Promise<LedgerSuspension> {
  const peer = org.nodes[0];
  if (!peer) return { outcome: 'not suspended', reason: `${org.key} has no peer` };
  const ids = [...new Set(certificates.map((c) => identityOfCertificate(org.mspId, c.pem).userId))];
  let last: LedgerSuspension = { outcome: 'not registered' };
  for (const userId of ids) {
    try {
      await runStep(`suspending ${userId} on the ledger`, scriptPath(repoDir, 'cc-invoke.sh'), {
        ...adminCliEnv(plan, org, peer, bin),
        CC_NAME: plan.chaincode.name,
        CC_ARGS: JSON.stringify({ function: 'registry:SuspendUser', Args: [userId] }),
        PEER_ADDRESSES: plan.peerOrgs.map((o) => o.nodes[0]?.address ?? '').join(' '),
        PEER_TLS_ROOTS: plan.peerOrgs.map((o) => o.caCertFile).join(' '),
      });
      return { outcome: 'suspended', userId };
    } catch (error) {
      const message =
        error instanceof NetworkError ? [error.message, ...error.details].join('\n') : String(error);
      if (message.includes('NOT_FOUND')) continue;
      if (/FAILED_PRECONDITION: .* is already suspended/.test(message)) {
        return { outcome: 'already suspended', userId };
      }
      const reason = /ACCESS_DENIED: [^"\n]*/.exec(message)?.[0] ?? message.split('\n')[0] ?? 'unknown';
      last = { outcome: 'not suspended', reason: `admin.${org.key}: ${reason}` };
    }
  }
  return last;
}
