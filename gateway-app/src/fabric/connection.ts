import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Gateway } from '@hyperledger/fabric-gateway';
import { createPrivateKey } from 'node:crypto';
import { DEADLINES } from './deadlines';

/** A peer's Gateway endpoint and the identity to call it as, all in PEM. */
export interface FabricConnectionOptions {
  /** host:port of the peer's Gateway service (loopback). */
  peerAddress: string;
  /** The root certificate the peer's TLS certificate chains to. */
  tlsRootCert: Buffer;
  /** The client's TLS pair, for peers that require mutual TLS. */
  tlsClientCert: Buffer;
  tlsClientKey: Buffer;
  mspId: string;
  /** The caller's enrolment certificate and private key. */
  certificate: Buffer;
  privateKey: Buffer;
}

/** One long-lived Gateway connection and the gRPC channel under it. */
export interface FabricConnection {
  gateway: Gateway;
  close(): void;
}

/**
 * Opens one Gateway connection over mutual TLS, with a deadline on every kind
 * of call so that nothing waits forever on an unreachable peer or orderer.
 */
export function connectFabric(options: FabricConnectionOptions): FabricConnection {
  const client = new grpc.Client(
    options.peerAddress,
    grpc.credentials.createSsl(options.tlsRootCert, options.tlsClientKey, options.tlsClientCert),
  );
  const gateway = connect({
    client,
    identity: { mspId: options.mspId, credentials: options.certificate },
    signer: signers.newPrivateKeySigner(createPrivateKey(options.privateKey)),
    hash: hash.sha256,
    ...DEADLINES,
  });
  return {
    gateway,
    close: () => {
      gateway.close();
      client.close();
    },
  };
}
