import type { Network } from '@hyperledger/fabric-gateway';
import { common, peer } from '@hyperledger/fabric-protos';

/** One endorser transaction of a block, as the exactly-once check needs it. */
export interface ScannedTransaction {
  txId: string;
  block: number;
  /** Whether the peers committed it as valid. */
  valid: boolean;
  /** The chaincode function (`transfer:Send`) and its arguments. */
  fn: string;
  args: string[];
}

const decoder = new TextDecoder();

function transactionsOf(block: common.Block): ScannedTransaction[] {
  const number = block.getHeader()?.getNumber() ?? 0;
  const flags = block.getMetadata()?.getMetadataList_asU8()[common.BlockMetadataIndex.TRANSACTIONS_FILTER];
  const found: ScannedTransaction[] = [];
  block
    .getData()
    ?.getDataList_asU8()
    .forEach((envelopeBytes, index) => {
      const payload = common.Payload.deserializeBinary(
        common.Envelope.deserializeBinary(envelopeBytes).getPayload_asU8(),
      );
      const header = common.ChannelHeader.deserializeBinary(
        payload.getHeader()?.getChannelHeader_asU8() ?? new Uint8Array(),
      );
      if (header.getType() !== common.HeaderType.ENDORSER_TRANSACTION) return;
      const action = peer.Transaction.deserializeBinary(payload.getData_asU8()).getActionsList()[0];
      const actionPayload = peer.ChaincodeActionPayload.deserializeBinary(
        action?.getPayload_asU8() ?? new Uint8Array(),
      );
      const proposal = peer.ChaincodeProposalPayload.deserializeBinary(
        actionPayload.getChaincodeProposalPayload_asU8(),
      );
      const spec = peer.ChaincodeInvocationSpec.deserializeBinary(
        proposal.getInput_asU8(),
      ).getChaincodeSpec();
      const [fn, ...args] = (spec?.getInput()?.getArgsList_asU8() ?? []).map((a) => decoder.decode(a));
      found.push({
        txId: header.getTxId(),
        block: number,
        valid: flags?.[index] === peer.TxValidationCode.VALID,
        fn: fn ?? '',
        args,
      });
    });
  return found;
}

/**
 * Reads the channel's blocks from `startBlock` up to the peer's current
 * height (through qscc: the Deliver service would want the client's TLS
 * certificate hash bound into the request) and returns every endorser
 * transaction in them.
 */
export async function scanLedger(network: Network, startBlock = 0): Promise<ScannedTransaction[]> {
  const qscc = network.getContract('qscc');
  const channel = network.getName();
  const info = common.BlockchainInfo.deserializeBinary(
    await qscc.evaluateTransaction('GetChainInfo', channel),
  );
  const found: ScannedTransaction[] = [];
  for (let number = startBlock; number < info.getHeight(); number++) {
    const bytes = await qscc.evaluateTransaction('GetBlockByNumber', channel, String(number));
    found.push(...transactionsOf(common.Block.deserializeBinary(bytes)));
  }
  return found;
}
