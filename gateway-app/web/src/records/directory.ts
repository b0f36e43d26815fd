import { useCallback } from 'react';
import type { DirectoryEntry, GatewayClient } from '../../../src/client/api-client';
import { shortId } from './format';
import { useLoaded } from '../app/use-loaded';

/** The people the gateway lists, by ledger user id. */
export type Directory = ReadonlyMap<string, DirectoryEntry>;

/** "name · role · organisation", as the shell shows the signed-in user. */
export const entryLabel = (entry: DirectoryEntry): string =>
  `${entry.enrollmentId} · ${entry.role} · ${entry.mspId}`;

/** Someone's login name, or a short id when the directory does not list them (suspended, say). */
export const nameOf = (directory: Directory | undefined, userId: string): string =>
  directory?.get(userId)?.enrollmentId ?? shortId(userId);

/** Someone's "name · role · organisation", or a short id when the directory does not list them. */
export function personOf(directory: Directory | undefined, userId: string): string {
  const entry = directory?.get(userId);
  return entry ? entryLabel(entry) : shortId(userId);
}

/** The gateway's directory of active users, loaded once per page. */
export function useDirectory(client: GatewayClient): { directory?: Directory; error?: unknown } {
  const load = useCallback(
    async () => new Map((await client.directory()).map((e) => [e.userId, e] as const)) as Directory,
    [client],
  );
  const { value, error } = useLoaded(load);
  return { ...(value ? { directory: value } : {}), ...(error !== undefined ? { error } : {}) };
}
