import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import type { Context } from 'fabric-contract-api';
import { ProbeContract } from './probe-contract';

/** A map-backed stand-in for the parts of the chaincode stub the probe contract uses. */
function fakeContext(state: Map<string, Uint8Array>, role: string | null, mspId = 'HospitalAMSP'): Context {
  const stub = {
    getTxID: () => 'tx1',
    getTxTimestamp: () => ({ seconds: { toString: () => '1700000000' }, nanos: 0 }),
    createCompositeKey: (type: string, attrs: string[]) => `\u0000${type}\u0000${attrs.join('\u0000')}\u0000`,
    getState: (key: string) => Promise.resolve(state.get(key) ?? new Uint8Array()),
    putState: (key: string, value: Uint8Array) => {
      state.set(key, value);
      return Promise.resolve();
    },
  };
  const clientIdentity = {
    getMSPID: () => mspId,
    getAttributeValue: (name: string) => (name === 'role' ? role : null),
  };
  return { stub, clientIdentity } as unknown as Context;
}

describe('ProbeContract', () => {
  let state: Map<string, Uint8Array>;
  const contract = new ProbeContract();

  beforeEach(() => {
    state = new Map();
  });

  it('stores a value stamped with the caller MSP and the transaction time, and reads it back', async () => {
    await contract.Put(fakeContext(state, 'technologist'), 'k-1', 'hello');
    const record = JSON.parse(
      await contract.Get(fakeContext(state, 'doctor', 'ImagingMSP'), 'k-1'),
    ) as Record<string, string>;
    assert.deepEqual(record, {
      key: 'k-1',
      value: 'hello',
      writerMspId: 'HospitalAMSP',
      txId: 'tx1',
      writtenAt: '2023-11-14T22:13:20.000Z',
    });
  });

  it('writes identical bytes for the same proposal', async () => {
    const other = new Map<string, Uint8Array>();
    await contract.Put(fakeContext(state, 'doctor'), 'k', 'v');
    await contract.Put(fakeContext(other, 'doctor'), 'k', 'v');
    assert.deepEqual([...state.entries()], [...other.entries()]);
  });

  it('refuses callers without a role attribute', async () => {
    await assert.rejects(contract.Put(fakeContext(state, null), 'k', 'v'), /no role attribute/);
    await assert.rejects(contract.Get(fakeContext(state, null), 'k'), /no role attribute/);
    assert.equal(state.size, 0);
  });

  it('rejects malformed keys, oversized values and unknown records', async () => {
    await assert.rejects(contract.Put(fakeContext(state, 'doctor'), 'bad key!', 'v'), /key must be/);
    await assert.rejects(contract.Put(fakeContext(state, 'doctor'), 'k', 'x'.repeat(1025)), /at most 1024/);
    await assert.rejects(contract.Get(fakeContext(state, 'doctor'), 'missing'), /no probe record/);
    assert.equal(state.size, 0);
  });
});
