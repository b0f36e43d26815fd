import { Context, Contract, Info, Returns, Transaction } from 'fabric-contract-api';
import { ChaincodeError } from './errors';
import { activeUser } from './registry-contract';
import { unmarshal } from './json';
import { requirePermission } from './roles';
import { offsetBookmark, offsetPage, pageSize as validatePageSize } from './state';
import { collectionFor, type EnvelopeRecord } from './transfer';

/** One ciphertext a private envelope points at: what the storage reconciler checks against the cluster. */
export interface StoredContent {
  recordId: string;
  readerId: string;
  cid: string;
  size: number;
  contentHash: string;
}

const MSP_ID = /^[A-Za-z][A-Za-z0-9]{1,30}MSP$/;

/**
 * Queries for consortium operators keeping the IPFS Cluster in step with the
 * ledger. The CIDs live only in private data, so each organisation reconciles
 * the collections it belongs to.
 */
@Info({ title: 'StorageContract', description: 'Lists the stored ciphertexts private envelopes refer to' })
export class StorageContract extends Contract {
  constructor() {
    super('storage');
  }

  /**
   * The CID, size and content hash of every envelope in the collection the
   * caller's organisation shares with `counterpartMspId` (its own
   * collection, `org-<MSP>`, when that is its own MSP ID), a page at a time. Private data
   * has no paginated queries, so the bookmark is the number of entries already
   * returned (see {@link offsetPage}). Admins and auditors only.
   */
  @Transaction(false)
  @Returns('string')
  public async StoredContent(
    ctx: Context,
    counterpartMspId: string,
    pageSize: number,
    bookmark: string,
  ): Promise<string> {
    const { caller, record } = await activeUser(ctx);
    requirePermission(record.role, 'reconcileStorage');
    if (!MSP_ID.test(counterpartMspId)) {
      throw new ChaincodeError('INVALID_ARGUMENT', 'counterpartMspId must be an MSP ID such as HospitalAMSP');
    }
    const size = validatePageSize(pageSize);
    const page = await offsetPage(
      ctx.stub.getPrivateDataByPartialCompositeKey(
        collectionFor(caller.mspId, counterpartMspId),
        'envelope',
        [],
      ),
      size,
      offsetBookmark(bookmark),
      (entry): StoredContent => {
        const envelope = unmarshal(entry.value) as EnvelopeRecord;
        return {
          recordId: envelope.recordId,
          readerId: envelope.readerId,
          cid: envelope.cid,
          size: envelope.size,
          contentHash: envelope.contentHash,
        };
      },
    );
    return JSON.stringify(page);
  }
}
