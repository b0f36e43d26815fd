import type { Contract } from '@hyperledger/fabric-gateway';

/** One ciphertext a private envelope on the ledger points at. */
export interface StoredContentEntry {
  recordId: string;
  readerId: string;
  cid: string;
  size: number;
  contentHash: string;
}

const PAGE_SIZE = 100;

/**
 * Every envelope in the collection the caller's organisation shares with
 * `counterpartMspId` (its own MSP ID for its implicit collection), read page
 * by page through the chaincode's `storage:StoredContent` query.
 */
export async function* storedContent(
  contract: Contract,
  counterpartMspId: string,
): AsyncGenerator<StoredContentEntry> {
  let bookmark = '';
  do {
    const result = await contract.evaluateTransaction(
      'storage:StoredContent',
      counterpartMspId,
      String(PAGE_SIZE),
      bookmark,
    );
    const page = JSON.parse(Buffer.from(result).toString('utf8')) as {
      records: StoredContentEntry[];
      bookmark: string;
    };
    yield* page.records;
    bookmark = page.bookmark;
  } while (bookmark !== '');
}
