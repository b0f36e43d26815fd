import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { envelopeHashOf } from 'medshare-chaincode/dist/envelopes';
import { marshal } from 'medshare-chaincode/dist/json';
import { parseEnvelopeRecord } from 'medshare-chaincode/dist/transfer';
import { envelopeDeposit } from './deposit';

/** The device's deposit must be, byte for byte, what the chaincode accepts and hashes. */
describe('envelopeDeposit', () => {
  const parties = {
    recordId: 'record-0000000001',
    readerId: 'b'.repeat(64),
    senderId: 'a'.repeat(64),
    contentHash: 'c'.repeat(64),
    depositorId: 'a'.repeat(64),
  };
  const input = {
    size: 10,
    mediaType: 'application/dicom',
    cid: 'b'.padEnd(59, 'q'),
    wrappedKey: Buffer.alloc(40, 1).toString('base64'),
    signature: Buffer.alloc(64, 2).toString('base64'),
    salt: Buffer.alloc(16, 3).toString('base64'),
    metadata: { modality: 'CT', bodyPart: 'HEAD' },
  };

  it('is canonical JSON the chaincode accepts, and its hash is the one peers compute', async () => {
    const deposit = await envelopeDeposit(input, parties);
    const bytes = Buffer.from(JSON.stringify(deposit.envelope), 'utf8');
    assert.deepEqual(bytes, marshal(deposit.envelope));
    assert.deepEqual(parseEnvelopeRecord(bytes, parties), { docType: 'envelope', ...parties, ...input });
    assert.equal(deposit.hash, envelopeHashOf(bytes));
  });
});
