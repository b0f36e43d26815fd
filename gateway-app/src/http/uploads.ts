import type { SessionData } from 'express-session';

/**
 * What a session uploaded, and which of its uploads an envelope on the ledger
 * points at. A device whose ledger step failed after an upload asks the
 * gateway to remove the ciphertext; the gateway does so only for the
 * session's own uploads that no committed deposit of the session refers to,
 * so no ledger record is ever left pointing at removed data.
 */
export interface UploadBook {
  /** CID → the keys (`recordId/readerId`) of committed deposits that name it. */
  uploads: Record<string, string[]>;
  /** Prepared calls not yet done: id → the upload it deposits, or the deposit it withdraws. */
  prepared: Record<string, { deposit: { cid: string; key: string } } | { withdraw: string }>;
}

/** At most this many uploads and prepared calls are remembered per session. */
const MAX_ENTRIES = 64;

function bookOf(session: Partial<SessionData>): UploadBook {
  session.uploadBook ??= { uploads: {}, prepared: {} };
  return session.uploadBook;
}

function bounded<T>(record: Record<string, T>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).slice(-MAX_ENTRIES));
}

/** The session uploaded `cid`. */
export function noteUpload(session: Partial<SessionData>, cid: string): void {
  const book = bookOf(session);
  book.uploads = bounded({ ...book.uploads, [cid]: book.uploads[cid] ?? [] });
}

/** Prepared call `id` deposits an envelope naming `cid` under `recordId/readerId`, or withdraws one. */
export function notePrepared(
  session: Partial<SessionData>,
  id: string,
  call: { deposit: { cid: string; key: string } } | { withdraw: string },
): void {
  const book = bookOf(session);
  if ('deposit' in call && !Object.hasOwn(book.uploads, call.deposit.cid)) return;
  book.prepared = bounded({ ...book.prepared, [id]: call });
}

/** Prepared call `id` committed: its deposit now points at its upload, or its withdrawal no longer does. */
export function noteCommitted(session: Partial<SessionData>, id: string): void {
  const book = bookOf(session);
  const call = book.prepared[id];
  if (call === undefined) return;
  book.prepared = Object.fromEntries(Object.entries(book.prepared).filter(([key]) => key !== id));
  if ('deposit' in call) {
    const keys = book.uploads[call.deposit.cid];
    if (keys !== undefined) book.uploads[call.deposit.cid] = [...new Set([...keys, call.deposit.key])];
  } else {
    for (const [cid, keys] of Object.entries(book.uploads)) {
      book.uploads[cid] = keys.filter((k) => k !== call.withdraw);
    }
  }
}

/** Why `cid` may not be removed for this session, or undefined when it may. */
export function removalRefusal(
  session: Partial<SessionData>,
  cid: string,
): 'NOT_UPLOADED' | 'IN_USE' | undefined {
  const keys = bookOf(session).uploads[cid];
  if (keys === undefined) return 'NOT_UPLOADED';
  return keys.length > 0 ? 'IN_USE' : undefined;
}

/** `cid` was removed from storage. */
export function noteRemoved(session: Partial<SessionData>, cid: string): void {
  const book = bookOf(session);
  book.uploads = Object.fromEntries(Object.entries(book.uploads).filter(([key]) => key !== cid));
}
