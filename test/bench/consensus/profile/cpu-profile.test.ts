import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packageOf, summarise, type CpuProfile } from './cpu-profile';

const REPO = '/repo';

const frame = (functionName: string, url = '', lineNumber = 0) => ({ functionName, url, lineNumber });

/** root → Send (ours) → createPublicKey (node) ; root → format (logform) ; root → (idle) */
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
    {
      id: 2,
      callFrame: frame('Send', 'file:///repo/chaincode/dist/transfer-contract.js', 46),
      children: [3],
    },
    { id: 3, callFrame: frame('createPublicKey', 'node:internal/crypto/keys', 608) },
    { id: 4, callFrame: frame('', '/repo/node_modules/logform/timestamp.js', 12) },
    { id: 5, callFrame: frame('(idle)') },
  ],
  samples: [3, 3, 2, 4, 5, 5, 3],
  timeDeltas: [1000, 1000, 1000, 1000, 5000, 5000, 2000],
};

describe('CPU profile summary', () => {
  it('sums self time by package and by function, leaving idle time out of the shares', () => {
    const summary = summarise([profile], REPO);
    assert.equal(summary.busyMs, 6);
    assert.equal(summary.idleMs, 10);
    assert.deepEqual(summary.byPackage, [
      { name: 'node:internal/crypto/keys', ms: 4, share: 0.667 },
      { name: 'medshare chaincode', ms: 1, share: 0.167 },
      { name: 'logform', ms: 1, share: 0.167 },
    ]);
    assert.deepEqual(summary.byFunction[0], {
      name: 'createPublicKey node:internal/crypto/keys:609',
      ms: 4,
      share: 0.667,
    });
    assert.equal(summary.byFunction[1]?.name, 'Send chaincode/dist/transfer-contract.js:47');
    assert.equal(summary.byFunction[2]?.name, '(anonymous) logform/timestamp.js:13');
  });

  it('adds up several processes of the same program and cuts the lists at the limit', () => {
    const summary = summarise([profile, profile], REPO, 1);
    assert.equal(summary.busyMs, 12);
    assert.equal(summary.byPackage.length, 1);
    assert.equal(summary.byFunction.length, 1);
  });

  it('names packages: scoped npm packages, built-ins, ours, and the engine', () => {
    assert.equal(packageOf('/x/node_modules/@grpc/grpc-js/build/src/call.js', 'f', REPO), '@grpc/grpc-js');
    assert.equal(packageOf('/repo/node_modules/a/node_modules/b/i.js', 'f', REPO), 'b');
    assert.equal(packageOf('node:buffer', 'f', REPO), 'node:buffer');
    assert.equal(packageOf('', '(garbage collector)', REPO), '(garbage collector)');
    assert.equal(packageOf('', 'nativeThing', REPO), '(native)');
    assert.equal(packageOf('file:///repo/chaincode/dist/json.js', 'f', REPO), 'medshare chaincode');
  });
});
