import type { Directory } from '../app/directory';
import { shortHex } from './ids';

/**
 * A user by name when the directory lists them, else by a shortened id; the
 * full ledger id is always in the title (and copied with the text).
 */
export function UserRef({ userId, directory }: { userId: string; directory: Directory | undefined }) {
  if (!userId) return <span className="hint">not named</span>;
  const entry = directory?.get(userId);
  if (!entry) {
    return (
      <span className="mono" title={userId}>
        {shortHex(userId)}
      </span>
    );
  }
  return <span title={`${entry.role} · ${entry.organisation} · ${userId}`}>{entry.enrollmentId}</span>;
}
