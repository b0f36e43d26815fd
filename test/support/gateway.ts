import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type IdentityFiles, type NodePlan, type OrgPlan } from 'medshare-network';

/** A gateway connection and the gRPC client under it. */
export interface GatewayConnection {
  gateway: Gateway;
  close(): void;
}

/**
 * Connects to `peer` through its Fabric Gateway service as the enrolled user
 * `user` of `org`, with mutual TLS (the user's TLS client certificate).
 */
export async function connectGateway(
  org: OrgPlan,
  peer: NodePlan,
  user: IdentityFiles,
): Promise<GatewayConnection> {
  const [caPem, tlsCert, tlsKey, cert, keyPem] = await Promise.all([
    readFile(org.caCertFile),
    readFile(user.tls.cert),
    readFile(user.tls.key),
    readFile(user.signCert),
    readFile(join(user.msp, 'keystore', 'key.pem')),
  ]);
  const client = new grpc.Client(peer.address, grpc.credentials.createSsl(caPem, tlsKey, tlsCert));
  const gateway = connect({
    client,
    identity: { mspId: org.mspId, credentials: cert },
    signer: signers.newPrivateKeySigner(createPrivateKey(keyPem)),
    hash: hash.sha256,
    evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
    endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
    submitOptions: () => ({ deadline: Date.now() + 10_000 }),
    commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
