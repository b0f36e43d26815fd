import { join } from 'node:path';
import type { Binaries } from './binaries';
import { allTlsRoots, chaincodeServerIdentity, identityFiles, nodeTls, orgAdmin, registrar } from './layout';
import type { NetworkPlan, NodePlan, OrgPlan } from './topology';

/** Environment variables of a process or step, as written to its env file. */
export type Env = Record<string, string>;

// orderer.yaml lists take `[a,b]` from the environment; core.yaml lists are whitespace-separated.
const list = (files: string[]): string => `[${files.join(',')}]`;
const peerList = (files: string[]): string => files.join(' ');

/** Fabric CA server: configuration through FABRIC_CA_SERVER_* overrides. */
export function caEnv(plan: NetworkPlan, org: OrgPlan, bin: Binaries, bootstrap: string): Env {
  return {
    FABRIC_CA_BIN: bin.fabricCaBin,
    FABRIC_CA_SERVER_HOME: org.ca.home,
    FABRIC_CA_SERVER_ADDRESS: '127.0.0.1',
    FABRIC_CA_SERVER_PORT: String(org.ca.port),
    FABRIC_CA_SERVER_CA_NAME: org.ca.name,
    FABRIC_CA_SERVER_CSR_CN: `${org.ca.name}.${plan.name}`,
    FABRIC_CA_SERVER_CSR_HOSTS: 'localhost,127.0.0.1',
    FABRIC_CA_SERVER_TLS_ENABLED: 'true',
    FABRIC_CA_SERVER_OPERATIONS_LISTENADDRESS: `127.0.0.1:${org.ca.opsPort}`,
    FABRIC_CA_SERVER_METRICS_PROVIDER: 'disabled',
    FABRIC_CA_SERVER_BOOTSTRAP: bootstrap,
  };
}

function operationsTls(prefix: 'CORE' | 'ORDERER', node: NodePlan): Env {
  const tls = nodeTls(node);
  const common = {
    [`${prefix}_OPERATIONS_LISTENADDRESS`]: `127.0.0.1:${node.opsPort}`,
    [`${prefix}_OPERATIONS_TLS_ENABLED`]: 'true',
    [`${prefix}_OPERATIONS_TLS_CLIENTAUTHREQUIRED`]: 'true',
    [`${prefix}_METRICS_PROVIDER`]: 'disabled',
  };
  // core.yaml and orderer.yaml name the same settings differently.
  return prefix === 'CORE'
    ? {
        ...common,
        CORE_OPERATIONS_TLS_CERT_FILE: tls.cert,
        CORE_OPERATIONS_TLS_KEY_FILE: tls.key,
        CORE_OPERATIONS_TLS_CLIENTROOTCAS_FILES: peerList([tls.ca]),
      }
    : {
        ...common,
        ORDERER_OPERATIONS_TLS_CERTIFICATE: tls.cert,
        ORDERER_OPERATIONS_TLS_PRIVATEKEY: tls.key,
        ORDERER_OPERATIONS_TLS_CLIENTROOTCAS: list([tls.ca]),
      };
}

/** An orderer: orderer.yaml from Fabric's module, every setting overridden here. */
export function ordererEnv(plan: NetworkPlan, node: NodePlan, bin: Binaries): Env {
  const tls = nodeTls(node);
  const org = plan.ordererOrg;
  return {
    FABRIC_BIN: bin.fabricBin,
    FABRIC_CFG_PATH: plan.configDir,
    FABRIC_LOGGING_SPEC: 'info',
    ORDERER_GENERAL_LISTENADDRESS: '127.0.0.1',
    ORDERER_GENERAL_LISTENPORT: String(node.port),
    ORDERER_GENERAL_LOCALMSPID: org.mspId,
    ORDERER_GENERAL_LOCALMSPDIR: identityFiles(node.dir).msp,
    ORDERER_GENERAL_BOOTSTRAPMETHOD: 'none',
    ORDERER_GENERAL_TLS_ENABLED: 'true',
    ORDERER_GENERAL_TLS_CERTIFICATE: tls.cert,
    ORDERER_GENERAL_TLS_PRIVATEKEY: tls.key,
    ORDERER_GENERAL_TLS_ROOTCAS: list([tls.ca]),
    ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED: 'true',
    ORDERER_GENERAL_TLS_CLIENTROOTCAS: list(allTlsRoots(plan)),
    ORDERER_GENERAL_CLUSTER_CLIENTCERTIFICATE: tls.cert,
    ORDERER_GENERAL_CLUSTER_CLIENTPRIVATEKEY: tls.key,
    ORDERER_GENERAL_CLUSTER_ROOTCAS: list([tls.ca]),
    ORDERER_CHANNELPARTICIPATION_ENABLED: 'true',
    ORDERER_ADMIN_LISTENADDRESS: `127.0.0.1:${String(node.adminPort)}`,
    ORDERER_ADMIN_TLS_ENABLED: 'true',
    ORDERER_ADMIN_TLS_CERTIFICATE: tls.cert,
    ORDERER_ADMIN_TLS_PRIVATEKEY: tls.key,
    ORDERER_ADMIN_TLS_ROOTCAS: list([tls.ca]),
    ORDERER_ADMIN_TLS_CLIENTAUTHREQUIRED: 'true',
    ORDERER_ADMIN_TLS_CLIENTROOTCAS: list([tls.ca]),
    ORDERER_FILELEDGER_LOCATION: join(node.dir, 'ledger'),
    ORDERER_CONSENSUS_WALDIR: join(node.dir, 'consensus', 'wal'),
    ORDERER_CONSENSUS_SNAPDIR: join(node.dir, 'consensus', 'snapshot'),
    ...operationsTls('ORDERER', node),
  };
}

/** A peer: core.yaml from Fabric's module (with our external builder), settings overridden here. */
export function peerEnv(plan: NetworkPlan, org: OrgPlan, node: NodePlan, bin: Binaries): Env {
  const tls = nodeTls(node);
  const leader = org.nodes[0] ?? node;
  return {
    FABRIC_BIN: bin.fabricBin,
    FABRIC_CFG_PATH: plan.configDir,
    FABRIC_LOGGING_SPEC: 'info',
    CORE_PEER_ID: node.name,
    CORE_PEER_ADDRESS: node.address,
    CORE_PEER_LISTENADDRESS: node.address,
    CORE_PEER_CHAINCODEADDRESS: `127.0.0.1:${String(node.chaincodePort)}`,
    CORE_PEER_CHAINCODELISTENADDRESS: `127.0.0.1:${String(node.chaincodePort)}`,
    CORE_PEER_GOSSIP_BOOTSTRAP: leader.address,
    CORE_PEER_GOSSIP_EXTERNALENDPOINT: node.address,
    // Loopback network: a peer that dialled an anchor peer before it joined the
    // channel retries after 2 s instead of 25 s, so discovery converges quickly.
    CORE_PEER_GOSSIP_RECONNECTINTERVAL: '2s',
    CORE_PEER_GOSSIP_ALIVETIMEINTERVAL: '2s',
    CORE_PEER_GOSSIP_ALIVEEXPIRATIONTIMEOUT: '10s',
    CORE_PEER_GOSSIP_PUBLISHSTATEINFOINTERVAL: '2s',
    CORE_PEER_GOSSIP_MEMBERSHIPTRACKERINTERVAL: '2s',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: identityFiles(node.dir).msp,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_CERT_FILE: tls.cert,
    CORE_PEER_TLS_KEY_FILE: tls.key,
    CORE_PEER_TLS_ROOTCERT_FILE: tls.ca,
    CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
    CORE_PEER_TLS_CLIENTROOTCAS_FILES: peerList(allTlsRoots(plan)),
    CORE_PEER_GATEWAY_ENABLED: 'true',
    CORE_PEER_FILESYSTEMPATH: join(node.dir, 'data'),
    CORE_LEDGER_SNAPSHOTS_ROOTDIR: join(node.dir, 'snapshots'),
    CORE_LEDGER_STATE_STATEDATABASE: 'goleveldb',
    CORE_VM_ENDPOINT: '',
    ...operationsTls('CORE', node),
  };
}

/**
 * The peer CLI acting as an organisation's admin against one of its peers, with
 * the orderer endpoint for lifecycle transactions. Also written to
 * env/<org>-admin.env so an operator can `source` it.
 */
export function adminCliEnv(plan: NetworkPlan, org: OrgPlan, node: NodePlan, bin: Binaries): Env {
  const admin = orgAdmin(org);
  const orderer = plan.ordererOrg.nodes[0];
  return {
    FABRIC_BIN: bin.fabricBin,
    FABRIC_CFG_PATH: plan.configDir,
    FABRIC_LOGGING_SPEC: 'warning',
    CORE_PEER_LOCALMSPID: org.mspId,
    CORE_PEER_MSPCONFIGPATH: admin.msp,
    CORE_PEER_ADDRESS: node.address,
    CORE_PEER_TLS_ENABLED: 'true',
    CORE_PEER_TLS_ROOTCERT_FILE: org.caCertFile,
    CORE_PEER_TLS_CLIENTAUTHREQUIRED: 'true',
    CORE_PEER_TLS_CLIENTCERT_FILE: admin.tls.cert,
    CORE_PEER_TLS_CLIENTKEY_FILE: admin.tls.key,
    ORDERER_ADDRESS: orderer?.address ?? '',
    ORDERER_TLS_CA: plan.ordererOrg.caCertFile,
    CHANNEL: plan.channel,
  };
}

/** The orderer organisation's admin using osnadmin against one orderer. */
export function osnadminEnv(plan: NetworkPlan, node: NodePlan, bin: Binaries): Env {
  const admin = orgAdmin(plan.ordererOrg);
  return {
    FABRIC_BIN: bin.fabricBin,
    OSN_ADMIN_ADDRESS: `127.0.0.1:${String(node.adminPort)}`,
    OSN_TLS_CA: plan.ordererOrg.caCertFile,
    OSN_CLIENT_CERT: admin.tls.cert,
    OSN_CLIENT_KEY: admin.tls.key,
    CHANNEL: plan.channel,
    GENESIS_BLOCK: genesisBlock(plan),
  };
}

/** Where the channel's genesis block is written. */
export function genesisBlock(plan: NetworkPlan): string {
  return join(plan.runDir, 'channel', `${plan.channel}.block`);
}

/** A peer organisation's chaincode-as-a-service server (fabric-shim server mode). */
export function chaincodeServerEnv(plan: NetworkPlan, org: OrgPlan, packageId: string): Env {
  const server = chaincodeServerIdentity(org);
  return {
    CHAINCODE_DIR: plan.chaincode.dir,
    CHAINCODE_ID: packageId,
    CHAINCODE_SERVER_ADDRESS: `127.0.0.1:${String(org.chaincodeServerPort)}`,
    CHAINCODE_TLS_CERT_FILE: server.tls.cert,
    CHAINCODE_TLS_KEY_FILE: server.tls.key,
    CHAINCODE_TLS_CLIENT_CA_FILE: org.caCertFile,
    // fabric-shim logs a line per transaction at info, which at a few hundred
    // transfers a second is most of the log for no news. Warnings and errors still show.
    CORE_CHAINCODE_LOGGING_LEVEL: 'warning',
  };
}

/** fabric-ca-client acting as an organisation's registrar. */
export function registrarEnv(org: OrgPlan, bin: Binaries): Env {
  return {
    FABRIC_CA_BIN: bin.fabricCaBin,
    CA_URL: org.ca.url,
    CA_NAME: org.ca.name,
    // The CA's TLS server certificate is issued by the CA's own root.
    CA_TLS_CERT: org.caCertFile,
    REGISTRAR_HOME: registrar(org).dir,
  };
}
