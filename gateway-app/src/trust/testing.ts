// Helpers for tests: a trust bundle over test CAs. Not exported by index.ts.
import type { TestCa } from '../device/testing';
import type { TrustBundle } from './bundle';

/** An organisation of a test bundle: its MSP id and the test CA that is its root. */
export interface TestOrganisation {
  mspId: string;
  ca: TestCa;
  name?: string;
  role?: 'peer' | 'orderer';
}

/** The trust bundle a device would pin for these organisations (channel and chaincode `medshare`). */
export function testTrustBundle(organisations: readonly TestOrganisation[]): TrustBundle {
  return {
    v: 1,
    consortium: 'Test',
    channel: 'medshare',
    chaincode: 'medshare',
    organisations: organisations.map((o) => ({
      mspId: o.mspId,
      name: o.name ?? o.mspId,
      role: o.role ?? 'peer',
      rootCertificates: [o.ca.certificatePem],
    })),
  };
}
