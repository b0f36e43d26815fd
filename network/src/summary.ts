import { relative } from 'node:path';
import type { ProcessStatus } from './network';
import { allOrgs, type NetworkPlan } from './topology';

const pad = (s: string, n: number): string => s.padEnd(n);

/** Human-readable summary of nodes, ports, channel and chaincode. */
export function summarise(plan: NetworkPlan, repoDir: string, statuses?: ProcessStatus[]): string[] {
  const state = (name: string): string => {
    if (!statuses) return '';
    const s = statuses.find((p) => p.name === name);
    return !s?.pid ? '  stopped' : s.ready ? `  ready (pid ${s.pid})` : `  NOT READY (pid ${s.pid})`;
  };
  const lines = [
    `Network ${plan.name}: ${plan.consensus === 'raft' ? 'Raft' : 'SmartBFT'} ordering, ${plan.ordererOrg.nodes.length} orderers, channel ${plan.channel}, chaincode ${plan.chaincode.name} ${plan.chaincode.version} (sequence ${plan.chaincode.sequence}, chaincode-as-a-service)`,
    `  state directory ${relative(repoDir, plan.runDir) || '.'}`,
    `  storage: private IPFS Cluster of ${plan.peerOrgs.length} peers, content pinned on ${plan.storage.replicationMin} to ${plan.storage.replicationMax} (REST API credentials: <org>/storage/cluster-api.json)`,
  ];
  for (const org of allOrgs(plan)) {
    lines.push(`  ${org.name} (${org.mspId})`);
    lines.push(
      `    ${pad(org.ca.name, 22)} ${pad(org.ca.url, 24)} operations ${org.ca.opsPort}${state(org.ca.name)}`,
    );
    for (const n of org.nodes) {
      const extra =
        n.type === 'orderer' ? `admin ${String(n.adminPort)}` : `chaincode ${String(n.chaincodePort)}`;
      lines.push(
        `    ${pad(n.name, 22)} ${pad(n.address, 24)} operations ${n.opsPort}, ${extra}${state(n.name)}`,
      );
    }
    if (org.chaincodeServerPort !== undefined) {
      lines.push(
        `    ${pad(`ccaas.${org.key}`, 22)} ${pad(`127.0.0.1:${org.chaincodeServerPort}`, 24)} chaincode server${state(`ccaas.${org.key}`)}`,
      );
    }
    const st = org.storage;
    if (st) {
      lines.push(
        `    ${pad(st.ipfsName, 22)} ${pad(`127.0.0.1:${st.rpcPort}`, 24)} kubo RPC, swarm ${st.swarmPort}${state(st.ipfsName)}`,
        `    ${pad(st.clusterName, 22)} ${pad(st.restUrl, 24)} cluster REST API, swarm ${st.clusterPort}, IPFS proxy ${st.proxyPort}${state(st.clusterName)}`,
      );
    }
  }
  const first = plan.peerOrgs[0];
  if (first) {
    lines.push(
      `  Peer CLI as an organisation admin: source ${relative(repoDir, plan.runDir)}/env/${first.key}-admin.env`,
    );
  }
  return lines;
}
