import type { TrustBundle } from './bundle';

/**
 * An organisation's name for people ("St Mary Hospital"), from the trust bundle the device pinned at
 * enrolment, never from the gateway's word; its MSP id when the bundle does not name it.
 */
export function organisationName(trust: TrustBundle | undefined, mspId: string): string {
  return trust?.organisations.find((o) => o.mspId === mspId)?.name ?? mspId;
}
