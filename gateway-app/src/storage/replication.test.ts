import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { PinStatus } from './cluster-client';
import { classifyReplication } from './replication';

const CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';
const status = (peers: [string, string][], allocated = peers.map(([n]) => n)): PinStatus => ({
  cid: CID,
  allocations: allocated.map((n) => `id-${n}`),
  peers: peers.map(([name, s]) => ({ peerId: `id-${name}`, peerName: name, status: s, error: '' })),
});

describe('classifyReplication', () => {
  it('calls content pinned on every allocated peer replicated', () => {
    const r = classifyReplication(
      status([
        ['a', 'pinned'],
        ['b', 'pinned'],
        ['c', 'pinned'],
      ]),
      2,
      3,
    );
    assert.equal(r.state, 'replicated');
    assert.deepEqual(r.pinned, ['a', 'b', 'c']);
  });

  it('calls content under-replicated when an allocated peer is down but the minimum holds it', () => {
    const r = classifyReplication(
      status([
        ['a', 'pinned'],
        ['b', 'cluster_error'],
        ['c', 'pinned'],
      ]),
      2,
      3,
    );
    assert.equal(r.state, 'under-replicated');
    assert.deepEqual(r.failing, [{ peerName: 'b', status: 'cluster_error', error: '' }]);
  });

  it('tells below-minimum from missing', () => {
    const one = status([
      ['a', 'pinned'],
      ['b', 'pin_error'],
      ['c', 'pinning'],
    ]);
    assert.equal(classifyReplication(one, 2, 3).state, 'below-minimum');
    const none = status(
      [
        ['a', 'unpinned'],
        ['b', 'unpinned'],
      ],
      [],
    );
    assert.equal(classifyReplication(none, 2, 3).state, 'missing');
    assert.deepEqual(classifyReplication(none, 2, 3).failing, []);
  });

  it('ignores peers the pin is not allocated to', () => {
    const r = classifyReplication(
      status(
        [
          ['a', 'pinned'],
          ['b', 'pinned'],
          ['c', 'remote'],
        ],
        ['a', 'b'],
      ),
      2,
      2,
    );
    assert.equal(r.state, 'replicated');
  });
});
