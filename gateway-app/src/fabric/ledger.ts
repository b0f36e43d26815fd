import * as grpc from '@grpc/grpc-js';
import { connect, hash, signers, type Contract, type Gateway } from '@hyperledger/fabric-gateway';
import type { KeyObject } from 'node:crypto';
import { DEADLINES } from './deadlines';

/** One organisation's peer, reached over mutual TLS with the gateway service's own TLS pair. */
export interface PeerEndpoint {
  mspId: string;
  /** host:port of the peer's Gateway service. */
  address: string;
  tlsRootCert: Buffer;
  tlsClientCert: Buffer;
  tlsClientKey: Buffer;
}

/**
 * The gateway service's own Fabric identity in one organisation (certificate
 * attribute `role=gateway`). It signs only the service's own transactions
 * (announcing itself, recording refusals) and attestations; never a user's.
 */
export interface ServiceIdentity {
  mspId: string;
  certificate: Buffer;
  privateKey: KeyObject;
}

/** What {@link Ledger} connects to. */
export interface LedgerOptions {
  channel: string;
  chaincode: string;
  peers: readonly PeerEndpoint[];
  services: readonly ServiceIdentity[];
}

/**
 * The gateway's long-lived connections to the consortium: one gRPC channel per
 * organisation's peer, shared by every request. Users' calls go through a
 * Gateway without a signer (offline signing: the user's device signs); the
 * service identity has its own signing Gateway.
 */
export class Ledger {
  readonly channel: string;
  readonly chaincode: string;
  readonly #clients = new Map<string, grpc.Client>();
  readonly #services = new Map<string, Gateway>();

  constructor(options: LedgerOptions) {
    this.channel = options.channel;
    this.chaincode = options.chaincode;
    for (const peer of options.peers) {
      this.#clients.set(
        peer.mspId,
        new grpc.Client(
          peer.address,
          grpc.credentials.createSsl(peer.tlsRootCert, peer.tlsClientKey, peer.tlsClientCert),
        ),
      );
    }
    for (const service of options.services) {
      this.#services.set(
        service.mspId,
        connect({
          client: this.#client(service.mspId),
          identity: { mspId: service.mspId, credentials: service.certificate },
          signer: signers.newPrivateKeySigner(service.privateKey),
          hash: hash.sha256,
          ...DEADLINES,
        }),
      );
    }
  }

  /** The organisations whose peers the gateway reaches. */
  get organisations(): string[] {
    return [...this.#clients.keys()];
  }

  #client(mspId: string): grpc.Client {
    const client = this.#clients.get(mspId);
    if (!client) throw new RangeError(`the gateway serves no organisation ${mspId}`);
    return client;
  }

  /**
   * A Gateway in a user's name with no signer: it can prepare and send what the
   * user's device signed, and nothing else. Cheap: it shares the peer's channel.
   */
  userGateway(mspId: string, certificatePem: string): Gateway {
    return connect({
      client: this.#client(mspId),
      identity: { mspId, credentials: Buffer.from(certificatePem, 'utf8') },
      hash: hash.sha256,
      ...DEADLINES,
    });
  }

  /** The chaincode as the user's Gateway sees it. */
  userContract(gateway: Gateway): Contract {
    return gateway.getNetwork(this.channel).getContract(this.chaincode);
  }

  /** A Fabric system chaincode (`qscc`) on the channel, as the user's Gateway sees it. */
  systemContract(gateway: Gateway, name: 'qscc'): Contract {
    return gateway.getNetwork(this.channel).getContract(name);
  }

  /** The chaincode as the gateway service of `mspId` (its own identity). */
  serviceContract(mspId: string): Contract {
    const gateway = this.#services.get(mspId);
    if (!gateway) throw new RangeError(`the gateway has no service identity in ${mspId}`);
    return gateway.getNetwork(this.channel).getContract(this.chaincode);
  }

  /**
   * The channel's current configuration (`common.Config`, protobuf), as the
   * gateway service of `mspId` reads it from its own peer (cscc
   * GetChannelConfig): where the organisations' MSPs, with their CRLs, are.
   */
  async channelConfig(mspId: string): Promise<Uint8Array> {
    const gateway = this.#services.get(mspId);
    if (!gateway) throw new RangeError(`the gateway has no service identity in ${mspId}`);
    return gateway
      .getNetwork(this.channel)
      .getContract('cscc')
      .evaluateTransaction('GetChannelConfig', this.channel);
  }

  /** Whether each organisation's peer channel is connected or can connect within `timeoutMs`. */
  async readiness(timeoutMs: number): Promise<Record<string, boolean>> {
    const entries = await Promise.all(
      [...this.#clients].map(
        async ([mspId, client]) =>
          [
            mspId,
            await new Promise<boolean>((resolve) => {
              client.waitForReady(Date.now() + timeoutMs, (error) => {
                resolve(error === undefined);
              });
            }),
          ] as const,
      ),
    );
    return Object.fromEntries(entries);
  }

  close(): void {
    for (const gateway of this.#services.values()) gateway.close();
    for (const client of this.#clients.values()) client.close();
  }
}
