import { useCallback } from 'react';
import type { DirectoryEntry, GatewayClient } from '../../../src/client/api-client';
import { verifiedDirectory } from '../../../src/client/directory-check';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import { organisationName } from '../../../src/trust/organisation-name';
import { shortId } from '../records/format';
import { useLoaded } from './use-loaded';

/** A person the directory lists, with their organisation's name from the pinned trust bundle. */
export interface Person extends DirectoryEntry {
  organisation: string;
}

/** The people the gateway lists (active, enrolled users of every organisation), by ledger user id. */
export type Directory = ReadonlyMap<string, Person>;

/** "name · role · organisation". */
export const entryLabel = (entry: Person): string =>
  `${entry.enrollmentId} · ${entry.role} · ${entry.organisation}`;

/** Someone's login name, or a short id when the directory does not list them (suspended, say). */
export const nameOf = (directory: Directory | undefined, userId: string): string =>
  directory?.get(userId)?.enrollmentId ?? shortId(userId);

/** Someone's "name · role · organisation", or a short id when the directory does not list them. */
export function personOf(directory: Directory | undefined, userId: string): string {
  const entry = directory?.get(userId);
  return entry ? entryLabel(entry) : shortId(userId);
}

/**
 * The gateway's directory, loaded once per page and checked entry by entry
 * against the verified registry (a name the gateway points at another id is
 * `ANSWER_UNVERIFIED`); a failure leaves ids unresolved but is reported.
 */
export function useDirectory(
  client: GatewayClient,
  keys: LedgerIdentity,
): { directory?: Directory; error?: unknown } {
  const load = useCallback(
    async (): Promise<Directory> =>
      new Map(
        (await verifiedDirectory(await client.directory(), client, keys)).map(
          (e) => [e.userId, { ...e, organisation: organisationName(keys.trust, e.mspId) }] as const,
        ),
      ),
    [client, keys],
  );
  const { value, error } = useLoaded(load);
  return { ...(value ? { directory: value } : {}), ...(error !== undefined ? { error } : {}) };
}
