import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { IdentityFiles, NodePlan, OrgPlan } from 'medshare-network';
import { connectFabric, type FabricConnection } from './connection';

/**
 * Connects to `peer` of a running network through its Fabric Gateway service
 * as the enrolled identity `user` of `org` (mutual TLS with the user's TLS pair).
 */
export async function connectAs(
  org: OrgPlan,
  peer: NodePlan,
  user: IdentityFiles,
): Promise<FabricConnection> {
  const [tlsRootCert, tlsClientCert, tlsClientKey, certificate, privateKey] = await Promise.all([
    readFile(org.caCertFile),
    readFile(user.tls.cert),
    readFile(user.tls.key),
    readFile(user.signCert),
    readFile(join(user.msp, 'keystore', 'key.pem')),
  ]);
  return connectFabric({
    peerAddress: peer.address,
    tlsRootCert,
    tlsClientCert,
    tlsClientKey,
    mspId: org.mspId,
    certificate,
    privateKey,
  });
}
