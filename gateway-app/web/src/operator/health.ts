import type { GatewayClient } from '../../../src/client/api-client';

/** One component, as `GET /api/operator/health` reports it (http/routes/operator-health.ts). */
export interface ComponentHealth {
  kind: 'peer' | 'ca' | 'storage' | 'database';
  name: string;
  mspId: string;
  status: 'ok' | 'down';
  detail: string;
  peerId?: string;
  pins?: number;
}

/** The network's health as the gateway checked it. */
export interface NetworkHealth {
  checkedAt: string;
  status: 'ok' | 'degraded';
  replicationMin: number;
  components: ComponentHealth[];
}

/** Asks the gateway to check every peer, CA, cluster peer and its database now. */
export function fetchNetworkHealth(client: GatewayClient): Promise<NetworkHealth> {
  return client.request<NetworkHealth>('GET', '/api/operator/health');
}
