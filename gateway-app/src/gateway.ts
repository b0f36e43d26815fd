import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Express } from 'express';
import { gatewayIdentity, type NetworkPlan, type OrgPlan } from 'medshare-network';
import type { Logger } from 'pino';
import { AccountStore, LoginThrottle, SqliteSessionStore, TotpService } from './auth';
import { ConfigError, type Config } from './config';
import { openDatabase } from './db';
import { DeviceRegistry } from './device/device-registry';
import { NonceBook } from './device/nonces';
import { parseDevicePolicy } from './device/policy';
import { Attestor } from './fabric/attestor';
import { RevocationWatch } from './fabric/revocation-watch';
import { ErasureSweep } from './erasure-sweep';
import { Housekeeping, type HousekeepingRound } from './housekeeping';
import { Ledger, type PeerEndpoint, type ServiceIdentity } from './fabric/ledger';
import { OfflineSigning } from './fabric/offline-signing';
import { RefusalRecorder } from './fabric/refusals';
import { FabricCaClient } from './fabric-ca/ca-client';
import { FederatedDirectory } from './federation/directory';
import { createApp } from './http/app';
import { HttpError } from './http/errors';
import { networkProbes } from './http/routes/operator-health';
import type { EncryptedStore, StorageErasure } from './storage/encrypted-store';
import type { ErasingContent } from 'medshare-chaincode';
import { storeOfOrganisation } from './storage/from-network';
import { trustBundleOf } from './trust/from-plan';

/** A running gateway's parts, to serve and to close. */
export interface Gateway {
  app: Express;
  /**
   * Brings the gateway into service: announces each organisation's gateway
   * service key on the ledger (idempotent), then reads the channel's CRLs and
   * keeps reading them (see RevocationWatch).
   */
  announce(): Promise<void>;
  /** One round of housekeeping now (it also runs every `GATEWAY_HOUSEKEEPING_SECONDS` once announced). */
  housekeep(): Promise<HousekeepingRound>;
  close(): void;
}

/** A passed device check authorises the one send or access that follows within this time. */
const DEVICE_CHECK_MAX_AGE_MS = 5 * 60_000;

function lookup<T>(map: ReadonlyMap<string, T>, mspId: string, what: string): T {
  const value = map.get(mspId);
  if (value === undefined) {
    throw new HttpError(
      404,
      'ORGANISATION_NOT_SERVED',
      `this gateway holds no ${what} of ${mspId}: use that organisation's own gateway`,
    );
  }
  return value;
}

/**
 * The organisations this gateway serves: the one `GATEWAY_ORGANISATION`
 * names (by MSP id or key), whose credentials alone it loads; without it,
 * every peer organisation (development only).
 */
function servedOrganisations(plan: NetworkPlan, organisation: string | undefined): OrgPlan[] {
  if (organisation === undefined) return plan.peerOrgs;
  const org = plan.peerOrgs.find((o) => o.mspId === organisation || o.key === organisation);
  if (!org) {
    throw new ConfigError([
      `GATEWAY_ORGANISATION: ${organisation} is not a peer organisation of the network (${plan.peerOrgs.map((o) => o.mspId).join(', ')})`,
    ]);
  }
  return [org];
}

/** Builds the gateway for a running network: connections, stores, database and the HTTP app. */
export async function buildGateway(
  config: Config,
  plan: NetworkPlan,
  logger: Logger,
  version: string,
): Promise<Gateway> {
  const orgs = servedOrganisations(plan, config.organisation);
  const peers: PeerEndpoint[] = [];
  const services: ServiceIdentity[] = [];
  const stores = new Map<string, EncryptedStore>();
  const cas = new Map<string, FabricCaClient>();
  const caCertificates = new Map<string, string[]>();
  for (const org of orgs) {
    const peer = org.nodes.find((n) => n.type === 'peer');
    if (!peer) throw new Error(`${org.key} has no peer`);
    const files = gatewayIdentity(org);
    const [caCert, tlsCert, tlsKey, certificate, key] = await Promise.all([
      readFile(org.caCertFile),
      readFile(files.tls.cert),
      readFile(files.tls.key),
      readFile(files.signCert),
      readFile(join(files.msp, 'keystore', 'key.pem')),
    ]);
    peers.push({
      mspId: org.mspId,
      address: peer.address,
      tlsRootCert: caCert,
      tlsClientCert: tlsCert,
      tlsClientKey: tlsKey,
    });
    services.push({ mspId: org.mspId, certificate, privateKey: createPrivateKey(key) });
    stores.set(org.mspId, await storeOfOrganisation(plan, org));
    cas.set(org.mspId, new FabricCaClient({ url: org.ca.url, caName: org.ca.name, tlsRootCert: caCert }));
    caCertificates.set(org.mspId, [caCert.toString('utf8')]);
  }

  const db = openDatabase(config.databaseFile);
  const sessionStore = new SqliteSessionStore(db);
  const ledger = new Ledger({ channel: plan.channel, chaincode: plan.chaincode.name, peers, services });
  const policy = parseDevicePolicy(
    config.devicePolicyFile ? (JSON.parse(await readFile(config.devicePolicyFile, 'utf8')) as unknown) : {},
  );
  const accounts = new AccountStore(db);
  const [own] = services;
  const federated =
    config.organisation !== undefined && own && Object.keys(config.peerGateways).length > 0
      ? new FederatedDirectory({
          peers: config.peerGateways,
          signer: {
            mspId: own.mspId,
            certificatePem: own.certificate.toString('utf8'),
            privateKey: own.privateKey,
          },
          logger,
        })
      : undefined;
  const revocations = new RevocationWatch({
    readers: services.map((s) => () => ledger.channelConfig(s.mspId)),
    ownCertificates: services.map((s) => s.certificate.toString('utf8')),
    intervalMs: config.revocationPollMs,
    logger,
  });
  const decode = (bytes: Uint8Array) => JSON.parse(new TextDecoder().decode(bytes)) as unknown;
  const erasureSweep = new ErasureSweep(
    Object.fromEntries(
      services.map((s) => [
        s.mspId,
        {
          erasing: async () =>
            (
              decode(
                await ledger
                  .serviceContract(s.mspId)
                  .evaluateTransaction('erasure:ErasingContent', '100', ''),
              ) as { records: ErasingContent[] }
            ).records,
          erase: (cid: string) => lookup(stores, s.mspId, 'storage node').erase(cid),
          complete: async (recordId: string, evidence: StorageErasure) => {
            await ledger
              .serviceContract(s.mspId)
              .submitTransaction('erasure:CompleteErasure', recordId, JSON.stringify(evidence));
          },
        },
      ]),
    ),
    logger,
  );
  const throttle = new LoginThrottle(db);
  const housekeeping = new Housekeeping({
    pruneThrottle: () => throttle.prune(),
    pruneNonces: Object.fromEntries(
      services.map((s) => [
        s.mspId,
        async (pageSize: number) =>
          JSON.parse(
            new TextDecoder().decode(
              await ledger
                .serviceContract(s.mspId)
                .submitTransaction('attestation:PruneNonces', String(pageSize)),
            ),
          ) as { pruned: number; more: boolean },
      ]),
    ),
    sweepErasures: () => erasureSweep.run(),
    intervalMs: config.housekeepingSeconds * 1000,
    logger,
  });
  const storeOf = (mspId: string) => lookup(stores, mspId, 'storage node');
  const databaseAnswers = () => db.prepare('SELECT 1 AS ok').get() !== undefined;

  const app = createApp({
    logger,
    version,
    trustBundle: await trustBundleOf(plan),
    publicOrigin: config.publicOrigin,
    sessionStore,
    sessionSecret: config.sessionSecret,
    sessionIdleSeconds: config.sessionIdleSeconds,
    sessionAbsoluteSeconds: config.sessionAbsoluteSeconds,
    loginRateLimit: config.loginRateLimit,
    deviceAgentOrigins: config.deviceAgentOrigins,
    deviceAgents: config.deviceAgents,
    webRoot: config.webRoot ?? join(__dirname, '..', 'web', 'dist'),
    accounts,
    throttle,
    totp: new TotpService(),
    totpKey: config.totpKey,
    devices: new DeviceRegistry(db),
    nonces: new NonceBook(),
    policy,
    caCertificates,
    revocations,
    refusals: new RefusalRecorder(ledger, logger),
    signing: new OfflineSigning(ledger),
    attestor: new Attestor(services),
    caOf: (mspId) => lookup(cas, mspId, 'CA'),
    storeOf,
    replicated: async (mspId, cid) => {
      const replication = await storeOf(mspId).replication(cid);
      return replication.pinned.length >= plan.storage.replicationMin;
    },
    deviceCheckMaxAgeMs: DEVICE_CHECK_MAX_AGE_MS,
    erasureSweep,
    maxUploadBytes: config.maxUploadBytes,
    organisations: () => orgs.map((o) => o.mspId),
    ...(federated ? { federated } : {}),
    readiness: {
      ledger: async () => Object.values(await ledger.readiness(2000)).every(Boolean),
      cas: async () => (await Promise.all([...cas.values()].map((ca) => ca.ready()))).every(Boolean),
      storage: async () =>
        (
          await Promise.all(
            [...stores.values()].map(async (s) => {
              await s.allPins(AbortSignal.timeout(2000));
              return true;
            }),
          )
        ).every(Boolean),
      database: () => Promise.resolve(databaseAnswers()),
    },
    network: networkProbes(
      { ...plan, peerOrgs: orgs },
      {
        ledgerReadiness: (timeoutMs) => ledger.readiness(timeoutMs),
        caOf: (mspId) => lookup(cas, mspId, 'CA'),
        database: databaseAnswers,
      },
    ),
  });

  return {
    app,
    async announce() {
      for (const service of services) {
        await ledger.serviceContract(service.mspId).submitTransaction('attestation:AnnounceGateway');
      }
      await revocations.start();
      housekeeping.start();
    },
    housekeep: () => housekeeping.run(),
    close() {
      housekeeping.stop();
      revocations.stop();
      ledger.close();
      sessionStore.close();
      db.close();
    },
  };
}
