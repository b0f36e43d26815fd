import { ApiError, type GatewayClient } from '../../../src/client/api-client';
import { recordTrail, userTrail } from '../../../src/client/audit';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import { entryLabel, type Directory } from '../app/directory';
import { shortHex } from './ids';
import { formatWhen, fromLocalInput } from './time';
import { recordsWithin, type Trail } from './trail';

/** The record history form: a record, and optionally a time window applied in the browser. */
export interface RecordQuery {
  recordId: string;
  /** datetime-local values; '' for no bound. */
  from: string;
  to: string;
}

/** The user activity form: a user and a time window the ledger applies. */
export interface UserQuery {
  userId: string;
  from: string;
  to: string;
}

/** A record id as the chaincode takes it. */
export const RECORD_ID_PATTERN = '[A-Za-z0-9_\\-]{16,64}';

function invalid(code: string, message: string): ApiError {
  return new ApiError(400, code, message);
}

function range(from: string | undefined, to: string | undefined): string {
  if (from && to) return ` from ${formatWhen(from)} to ${formatWhen(to)}`;
  if (from) return ` since ${formatWhen(from)}`;
  if (to) return ` until ${formatWhen(to)}`;
  return '';
}

/** Everything the ledger holds about a record: its versions and every attempt on it. */
export async function recordQuery(
  client: GatewayClient,
  auditor: LedgerIdentity,
  query: RecordQuery,
): Promise<Trail> {
  const recordId = query.recordId.trim();
  if (!new RegExp(`^${RECORD_ID_PATTERN}$`).test(recordId)) {
    throw invalid('INVALID_RECORD_ID', 'a record id is 16 to 64 letters, digits, "_" or "-"');
  }
  const from = fromLocalInput(query.from);
  const to = fromLocalInput(query.to);
  if (from && to && from >= to) throw invalid('INVALID_RANGE', '"From" must be before "To"');
  const records = await recordTrail(client, auditor, recordId);
  return {
    title: `Record history of ${recordId}${range(from, to)}`,
    subject: recordId,
    records: recordsWithin(records, from, to),
  };
}

/** A user's transfers, access attempts and refused requests in a time window. */
export async function userQuery(
  client: GatewayClient,
  auditor: LedgerIdentity,
  directory: Directory | undefined,
  query: UserQuery,
): Promise<Trail> {
  if (!/^[0-9a-f]{64}$/.test(query.userId)) throw invalid('INVALID_USER', 'choose a user');
  const from = fromLocalInput(query.from);
  const to = fromLocalInput(query.to);
  if (!from || !to) throw invalid('INVALID_RANGE', 'give both "From" and "To"');
  if (from >= to) throw invalid('INVALID_RANGE', '"From" must be before "To"');
  const records = await userTrail(client, auditor, query.userId, { from, to });
  const entry = directory?.get(query.userId);
  return {
    title: `Activity of ${entry ? entryLabel(entry) : shortHex(query.userId)}${range(from, to)}`,
    subject: entry?.enrollmentId ?? query.userId.slice(0, 16),
    records,
  };
}
