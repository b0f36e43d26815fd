// The message modules only: the package's index also loads grpc-js, which has no place in a browser.
import * as common from '@hyperledger/fabric-protos/lib/common/common_pb';
import { UnverifiedAnswerError } from './endorsement-check';

/** Where Fabric keeps the validation code of each transaction of a block (common.BlockMetadataIndex). */
const TRANSACTIONS_FILTER = 2;
/** peer.TxValidationCode.VALID */
const VALID = 0;

function unproven(message: string): never {
  throw new UnverifiedAnswerError('COMMIT_UNVERIFIED', `not reporting the transaction as done: ${message}`);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/**
 * Finds the device's own transaction in a block that peers endorsed as
 * holding it (qscc GetBlockByTxID, verified by the caller), by the exact
 * payload the device signed, and checks the block's validation code for it
 * is VALID. Returns the block number. A gateway that claims a commit that
 * did not happen, or that was invalidated, is caught here
 * (`COMMIT_UNVERIFIED`).
 */
export function committedBlockOf(blockBytes: Uint8Array, signedPayload: Uint8Array): string {
  let block: common.Block;
  try {
    block = common.Block.deserializeBinary(blockBytes);
  } catch {
    unproven('the endorsed block cannot be decoded');
  }
  const envelopes = block.getData()?.getDataList_asU8() ?? [];
  const index = envelopes.findIndex((bytes) => {
    try {
      return sameBytes(common.Envelope.deserializeBinary(bytes).getPayload_asU8(), signedPayload);
    } catch {
      return false;
    }
  });
  if (index < 0) unproven('the block the peers endorsed does not hold the transaction this device signed');
  const flags = block.getMetadata()?.getMetadataList_asU8()[TRANSACTIONS_FILTER];
  const code = flags?.[index];
  if (code === undefined) unproven('the block carries no validation code for the transaction');
  if (code !== VALID) unproven(`the peers recorded the transaction as invalid (validation code ${code})`);
  return String(block.getHeader()?.getNumber() ?? unproven('the block has no number'));
}
