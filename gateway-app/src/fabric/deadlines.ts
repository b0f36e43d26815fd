import type { ConnectOptions } from '@hyperledger/fabric-gateway';

/**
 * Deadlines on every kind of Fabric call, so that nothing waits forever on an
 * unreachable peer or orderer. Endorsement covers private-data dissemination
 * to the other organisation's peer; commit status covers one block cut.
 */
export const DEADLINES: Pick<
  ConnectOptions,
  'evaluateOptions' | 'endorseOptions' | 'submitOptions' | 'commitStatusOptions'
> = {
  evaluateOptions: () => ({ deadline: Date.now() + 10_000 }),
  endorseOptions: () => ({ deadline: Date.now() + 30_000 }),
  submitOptions: () => ({ deadline: Date.now() + 10_000 }),
  commitStatusOptions: () => ({ deadline: Date.now() + 60_000 }),
};
