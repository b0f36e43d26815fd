import type { Context } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import { activeUser } from './registry-contract';
import { keyOf, requireRecord } from './state';
import { validateRecordId, type TransferRecord } from './transfer';
import type { UserRecord } from './user';

/** The public record of a transfer, which must exist. */
export async function requireTransfer(ctx: Context, recordId: string): Promise<TransferRecord> {
  return requireRecord<TransferRecord>(
    ctx,
    keyOf(ctx, 'transfer', validateRecordId(recordId)),
    `record ${recordId}`,
  );
}

/** Refuses everyone but active auditors and the record's active recipient; `what` names the refused act. */
export async function requireRecipientOrAuditor(
  ctx: Context,
  recordId: string,
  what: string,
): Promise<UserRecord> {
  const transfer = await requireTransfer(ctx, recordId);
  const { record: reader } = await activeUser(ctx);
  if (reader.role !== 'auditor' && reader.userId !== transfer.recipientId) {
    throw new ChaincodeError(
      'ACCESS_DENIED',
      `only auditors and the recipient may ${what} record ${recordId}`,
    );
  }
  return reader;
}
