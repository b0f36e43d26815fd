import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import { marshal, unmarshal } from './json';

/** Object types of the composite keys in the world state. */
export type ObjectType = 'user' | 'transfer' | 'transfer-by-user' | 'grant' | 'access' | 'access-by-user';

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
  const { iterator, metadata } = await ctx.stub.getStateByPartialCompositeKeyWithPagination(
    type,
    attributes,
    pageSize(size),
    bookmark,
  );
  const records: T[] = [];
  try {
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      records.push(unmarshal(next.value.value) as T);
    }
  } finally {
    await iterator.close();
  }
  return { records, bookmark: metadata.bookmark };
}
