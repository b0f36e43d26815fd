import type { Context } from 'fabric-contract-api';

/** The transaction's timestamp (set by the client, agreed by endorsers) as ISO 8601; never the clock. */
export function txTime(ctx: Context): string {
  const ts = ctx.stub.getTxTimestamp();
  const millis = Number(ts.seconds.toString()) * 1000 + Math.floor(ts.nanos / 1e6);
  return new Date(millis).toISOString();
}
