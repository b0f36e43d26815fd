import { readFile } from 'node:fs/promises';
import type { NetworkPlan } from 'medshare-network';
import { parseTrustBundle, type TrustBundle } from './bundle';

/**
 * The consortium's trust bundle, read from the network's own files on this
 * host: every organisation's MSP id and CA root certificate (the orderer
 * organisation's too, whose orderers sign blocks), the channel and the
 * chaincode. The gateway serves it; an operator bootstrapped on the gateway
 * host pins it from here, where it is the consortium's own word.
 */
export async function trustBundleOf(plan: NetworkPlan): Promise<TrustBundle> {
  const organisations = await Promise.all(
    [plan.ordererOrg, ...plan.peerOrgs].map(async (org) => ({
      mspId: org.mspId,
      name: org.name,
      role: org.role,
      rootCertificates: [(await readFile(org.caCertFile, 'utf8')).replace(/\r\n/g, '\n').trimEnd() + '\n'],
    })),
  );
  organisations.sort((a, b) => (a.mspId < b.mspId ? -1 : a.mspId > b.mspId ? 1 : 0));
  return parseTrustBundle({
    v: 1,
    consortium: plan.name,
    channel: plan.channel,
    chaincode: plan.chaincode.name,
    organisations,
  });
}
