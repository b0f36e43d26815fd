import type { FabricConnection } from 'medshare-gateway-app';

/** A gateway connection and the gRPC client under it. */
export type GatewayConnection = FabricConnection;

/** Connects to a peer's Gateway service as an enrolled user of its organisation, with mutual TLS. */
export { connectAs as connectGateway } from 'medshare-gateway-app';
