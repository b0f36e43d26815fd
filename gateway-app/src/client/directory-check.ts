import type { UserView } from '../api/ledger-rows';
import { fromBase64 } from '../envelope/bytes';
import { rootsOf, type TrustBundle } from '../trust/bundle';
import type { DirectoryEntry } from './api-client';
import { allPages } from './audit';
import { verifyEnrolledCertificate } from './certificate-check';
import { UnverifiedAnswerError } from './endorsement-check';
import type { LedgerIdentity } from './ledger-call';

/** What the device needs of a user's verified registry entry to check a directory entry against it. */
export type RegistryEntry = Pick<UserView, 'userId' | 'mspId' | 'role' | 'signingKey'>;

function unverified(entry: DirectoryEntry, reason: string, cause?: unknown): never {
  throw new UnverifiedAnswerError(
    'ANSWER_UNVERIFIED',
    `refusing the directory entry for ${entry.enrollmentId}: ${reason}`,
    cause === undefined ? undefined : { cause },
  );
}

/**
 * Checks a directory entry (the gateway's word: a login name for a ledger
 * id) against the user's registry entry, which the device verified from
 * peers' endorsements. Names are not on the ledger (ledger ids are
 * pseudonymous), so the entry carries the user's certificate: it must be
 * issued by the organisation's pinned CA for that login name and role, and
 * certify the signing key the registry holds for that id. A gateway cannot
 * then point a name at someone else's id, or at an id of its own.
 */
export async function verifyDirectoryEntry(
  entry: DirectoryEntry,
  record: RegistryEntry,
  trust: TrustBundle,
  at: Date = new Date(),
): Promise<void> {
  if (record.userId !== entry.userId) unverified(entry, 'the registry entry is another user’s');
  if (record.mspId !== entry.mspId)
    unverified(entry, `the ledger places them in ${record.mspId}, not ${entry.mspId}`);
  if (record.role !== entry.role)
    unverified(entry, `the ledger gives them the role ${record.role}, not ${entry.role}`);
  const publicKeySpki =
    fromBase64(record.signingKey.spki) ?? unverified(entry, 'the registry key is not base64');
  let role: string;
  try {
    role = await verifyEnrolledCertificate(
      entry.certificatePem,
      { publicKeySpki, enrollmentId: entry.enrollmentId, caRoots: rootsOf(trust, entry.mspId) },
      at,
    );
  } catch (error) {
    unverified(entry, error instanceof Error ? error.message : String(error), error);
  }
  if (role !== entry.role) unverified(entry, `the certificate gives the role ${role}, not ${entry.role}`);
}

/**
 * The directory as the gateway lists it, each entry checked against the
 * verified registry ({@link verifyDirectoryEntry}); one entry that does not
 * check refuses the whole list (`ANSWER_UNVERIFIED`). Entries the registry
 * does not hold (operators, users not yet registered) are left out: nobody
 * can send to them, and the device cannot check whom they name.
 */
export async function verifiedDirectory(
  entries: readonly DirectoryEntry[],
  client: Parameters<typeof allPages>[0],
  identity: LedgerIdentity,
): Promise<DirectoryEntry[]> {
  if (entries.length === 0) return [];
  const registry = new Map(
    (await allPages<RegistryEntry>(client, identity, 'registry:ListUsers', [])).map((r) => [r.userId, r]),
  );
  const verified: DirectoryEntry[] = [];
  for (const entry of entries) {
    const record = registry.get(entry.userId);
    if (!record) continue;
    await verifyDirectoryEntry(entry, record, identity.trust);
    verified.push(entry);
  }
  return verified;
}
