import { ProbeContract } from './probe-contract';

export { ProbeContract } from './probe-contract';
export type { ProbeRecord } from './probe-contract';

/** The contracts the chaincode server hosts; read by fabric-chaincode-node. */
export const contracts = [ProbeContract];
