/**
 * The MedShare gateway: the envelope format (browser and Node), the encrypted
 * store on the consortium's IPFS Cluster, its reconciler, and the Fabric
 * connection they run over.
 *
 * @packageDocumentation
 */

export * from './envelope';
export { connectFabric } from './fabric/connection';
export type { FabricConnection, FabricConnectionOptions } from './fabric/connection';
export { connectAs } from './fabric/from-network';
export { storedContent } from './fabric/stored-content';
export type { StoredContentEntry } from './fabric/stored-content';
export { ClusterClient, validateCid } from './storage/cluster-client';
export type {
  AddOptions,
  ClusterClientOptions,
  ClusterPeer,
  PeerPinStatus,
  PinStatus,
} from './storage/cluster-client';
export { EncryptedStore } from './storage/encrypted-store';
export type { EncryptedStoreOptions, ExpectedContent, StoredObject } from './storage/encrypted-store';
export { StorageError } from './storage/errors';
export type { StorageErrorCode, StorageErrorOptions } from './storage/errors';
export { storeOfOrganisation } from './storage/from-network';
export { KuboClient } from './storage/kubo-client';
export type { KuboClientOptions } from './storage/kubo-client';
export { groupByCid, reconcile, renderReport } from './storage/reconcile';
export type { LedgerReference, ReconcileEntry, ReconcileOptions, ReconcileReport } from './storage/reconcile';
export { classifyReplication } from './storage/replication';
export type { FailingPeer, Replication, ReplicationState } from './storage/replication';
