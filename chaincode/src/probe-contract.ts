import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { marshal, unmarshal } from './json';

const KEY_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_VALUE_LENGTH = 1024;
const OBJECT_TYPE = 'probe';

/** A value written by {@link ProbeContract}, with who wrote it and when. */
export interface ProbeRecord {
  key: string;
  value: string;
  writerMspId: string;
  txId: string;
  writtenAt: string;
}

/**
 * Minimal contract used to prove the network end to end (submit from one
 * organisation, read from another) until the MedShare contracts replace it.
 * Callers must hold a certificate with a `role` attribute issued by their
 * organisation's CA; anyone else is refused.
 */
@Info({ title: 'ProbeContract', description: 'Network smoke-test contract' })
export class ProbeContract extends Contract {
  constructor() {
    super('probe');
  }

  /** Records `value` under `key`, stamped with the caller's MSP and the transaction time. */
  @Transaction()
  public async Put(ctx: Context, key: string, value: string): Promise<void> {
    requireRole(ctx);
    validateKey(key);
    if (value.length > MAX_VALUE_LENGTH) {
      throw new Error(`value must be at most ${MAX_VALUE_LENGTH} characters`);
    }
    const seconds = ctx.stub.getTxTimestamp().seconds;
    const record: ProbeRecord = {
      key,
      value,
      writerMspId: ctx.clientIdentity.getMSPID(),
      txId: ctx.stub.getTxID(),
      writtenAt: new Date(Number(seconds.toString()) * 1000).toISOString(),
    };
    const stateKey = ctx.stub.createCompositeKey(OBJECT_TYPE, [key]);
    await ctx.stub.putState(stateKey, marshal(record));
  }

  /** Returns the record stored under `key`. */
  @Transaction(false)
  @Returns('string')
  public async Get(ctx: Context, key: string): Promise<string> {
    requireRole(ctx);
    validateKey(key);
    const bytes = await ctx.stub.getState(ctx.stub.createCompositeKey(OBJECT_TYPE, [key]));
    if (bytes.length === 0) {
      throw new Error(`no probe record with key ${key}`);
    }
    return JSON.stringify(unmarshal(bytes));
  }
}

function requireRole(ctx: Context): void {
  const role = ctx.clientIdentity.getAttributeValue('role');
  if (!role) {
    throw new Error('access denied: the caller certificate carries no role attribute');
  }
}

function validateKey(key: string): void {
  if (!KEY_PATTERN.test(key)) {
    throw new Error('key must be 1 to 64 characters of letters, digits, "_" or "-"');
  }
}
