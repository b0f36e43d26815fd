import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import { marshal, unmarshal } from './json';

/** Object types of the composite keys in the world state. */
export type ObjectType =
  | 'user'
  | 'transfer'
  | 'grant'
  | 'access'
  | 'emergency-key'
  | 'emergency-keyset'
  | 'break-glass'
  | 'review'
  | 'gateway'
  | 'refusal'
  | 'attestationNonce'
  | 'pending-release'
  | 'opening-limit'
  | 'alert'
  | 'record-event'
  | 'erasure'
  | 'pending-erasure'
  | 'erasing'
  | 'audit-query';

/** Composite key of a record. */
export function keyOf(ctx: Context, type: ObjectType, ...attributes: string[]): string {
  return ctx.stub.createCompositeKey(type, attributes);
}

/** Reads a record, or undefined when absent. */
export async function readRecord<T>(ctx: Context, key: string): Promise<T | undefined> {
  const bytes = await ctx.stub.getState(key);
  return bytes.length === 0 ? undefined : (unmarshal(bytes) as T);
}

/** Reads a record that must exist. */
export async function requireRecord<T>(ctx: Context, key: string, what: string): Promise<T> {
  const record = await readRecord<T>(ctx, key);
  if (record === undefined) {
    throw new ChaincodeError('NOT_FOUND', `no ${what}`);
  }
  return record;
}

/** Writes a record as deterministic JSON. */
export async function writeRecord(ctx: Context, key: string, record: object): Promise<void> {
  await ctx.stub.putState(key, marshal(record));
}

/** One page of a paginated query. */
export interface Page<T> {
  records: T[];
  bookmark: string;
}

/** Largest page a query returns; there is no unbounded range query. */
export const MAX_PAGE_SIZE = 100;

/** Validates a page size argument. */
export function pageSize(value: number): number {
  if (!Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw new ChaincodeError(
      'INVALID_ARGUMENT',
      `pageSize must be a whole number from 1 to ${MAX_PAGE_SIZE}`,
    );
  }
  return value;
}

/** A page of records under a partial composite key. */
export async function readPage<T>(
  ctx: Context,
  type: ObjectType,
  attributes: string[],
  size: number,
  bookmark: string,
): Promise<Page<T>> {
  const result = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
    type,
    attributes,
    pageSize(size),
    bookmark,
  );
  return toPage<T>(result);
}

/** Kinds of per-user activity index. */
export type ActivityKind = 'transfer' | 'access' | 'refusal' | 'grant' | 'breakGlass' | 'query';

/**
 * A per-user activity index key. Simple keys, not composite ones, because
 * Fabric range queries (needed for time ranges) refuse composite keys; ISO
 * times sort lexicographically, so a range over times is a range over keys.
 */
export function activityKey(kind: ActivityKind, userId: string, at: string, id: string): string {
  return `activity~${kind}~${userId}~${at}~${id}`;
}

/**
 * How many keys fall in [startKey, endKey), counting to `max` at most (the
 * answer is then `max`). For update transactions, where Fabric allows no
 * paginated queries.
 */
export async function countRange(
  ctx: Context,
  startKey: string,
  endKey: string,
  max: number,
): Promise<number> {
  const iterator = await ctx.stub.getStateByRange(startKey, endKey);
  let count = 0;
  try {
    while (count < max && !(await iterator.next()).done) count++;
  } finally {
    await iterator.close();
  }
  return count;
}

/** A page of records whose simple keys fall in [startKey, endKey). Read-only transactions only. */
export async function readRangePage<T>(
  ctx: Context,
  startKey: string,
  endKey: string,
  size: number,
  bookmark: string,
): Promise<Page<T>> {
  const result = await ctx.stub.getStateByRangeWithPagination(startKey, endKey, pageSize(size), bookmark);
  return toPage<T>(result);
}

/**
 * Every record under a partial composite key, at most `max` of them (more is an
 * error, never a silent cut). For update transactions, where Fabric allows no
 * paginated queries.
 */
export async function readAll<T>(
  ctx: Context,
  type: ObjectType,
  attributes: string[],
  max: number,
): Promise<T[]> {
  const records = await drain<T>(await ctx.stub.getStateByPartialCompositeKey(type, attributes), max + 1);
  if (records.length > max) {
    throw new ChaincodeError(
      'FAILED_PRECONDITION',
      `more than ${max} ${type} records; refusing an unbounded operation`,
    );
  }
  return records;
}

interface ValueIterator {
  next(): Promise<{ done?: boolean; value: { value: Uint8Array } }>;
  close(): Promise<void>;
}

/** Reads up to `limit` values from a state iterator and closes it. */
async function drain<T>(iterator: ValueIterator, limit = Number.POSITIVE_INFINITY): Promise<T[]> {
  const records: T[] = [];
  try {
    for (
      let next = await iterator.next();
      !next.done && records.length < limit;
      next = await iterator.next()
    ) {
      records.push(unmarshal(next.value.value) as T);
    }
  } finally {
    await iterator.close();
  }
  return records;
}

/** A page from a paginated query's result. */
async function toPage<T>(result: {
  iterator: ValueIterator;
  metadata?: { bookmark?: string };
}): Promise<Page<T>> {
  // fabric-shim leaves metadata out when the peer sends none (an empty page), whatever its types say.
  return { records: await drain<T>(result.iterator), bookmark: result.metadata?.bookmark ?? '' };
}

/**
 * Parses the bookmark of a query Fabric cannot paginate (key history, private
 * data ranges): the number of entries earlier pages returned.
 */
export function offsetBookmark(bookmark: string): number {
  if (!/^\d{0,9}$/.test(bookmark)) {
    throw new ChaincodeError('INVALID_ARGUMENT', 'bookmark must be the one a previous page returned');
  }
  return Number(bookmark || '0');
}

/**
 * One page of such a query: skips `skip` entries, maps the next `size`. Async
 * iteration closes the shim's iterator when the page ends early.
 */
export async function offsetPage<T, R>(
  entries: AsyncIterable<T>,
  size: number,
  skip: number,
  map: (entry: T) => R,
): Promise<Page<R>> {
  const records: R[] = [];
  let seen = 0;
  for await (const entry of entries) {
    if (seen++ < skip) continue;
    if (records.length === size) return { records, bookmark: String(skip + size) };
    records.push(map(entry));
  }
  return { records, bookmark: '' };
}
