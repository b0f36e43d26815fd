import { clusterCredentials, type NetworkPlan, type OrgPlan } from 'medshare-network';
import { ClusterClient } from './cluster-client';
import { EncryptedStore, type EncryptedStoreOptions } from './encrypted-store';
import { StorageError } from './errors';
import { KuboClient } from './kubo-client';

/** The encrypted store of one peer organisation of a running network: its cluster peer and kubo node. */
export async function storeOfOrganisation(
  plan: NetworkPlan,
  org: OrgPlan,
  options: Pick<EncryptedStoreOptions, 'replicationDeadlineMs' | 'lookupGraceMs'> = {},
): Promise<EncryptedStore> {
  const storage = org.storage;
  if (!storage) {
    throw new StorageError('INVALID_ARGUMENT', `${org.key} runs no storage node`);
  }
  return new EncryptedStore({
    cluster: new ClusterClient(await clusterCredentials(storage)),
    kubo: new KuboClient({ rpcUrl: `http://127.0.0.1:${storage.rpcPort}` }),
    replicationMin: plan.storage.replicationMin,
    replicationMax: plan.storage.replicationMax,
    ...options,
  });
}
