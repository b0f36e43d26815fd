import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { DataKey } from './data-key';
import { createDecryptStream } from './decrypt-stream';
import { createEncryptStream } from './encrypt-stream';
import { patternBytes } from './testing';

const MiB = 1024 * 1024;
const TOTAL = 256 * MiB;

function* plaintextChunks(): Generator<Uint8Array> {
  const pattern = patternBytes(MiB + 1);
  for (let i = 0; i < TOTAL / MiB; i++) {
    // A fresh chunk each time, as a file reader hands out, and not aligned with the segments.
    const chunk = pattern.slice(i % 2, MiB + (i % 2));
    chunk[0] = i & 255;
    yield chunk;
  }
}

describe('memory', () => {
  it('encrypts and decrypts 256 MiB streamed in 1 MiB chunks with RSS growth under 64 MiB', async () => {
    const expected = createHash('sha256');
    const source = plaintextChunks();
    const plaintext = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = source.next();
        if (next.done === true) {
          controller.close();
        } else {
          expected.update(next.value);
          controller.enqueue(next.value);
        }
      },
    });
    const dataKey = await DataKey.generate();
    const reader = plaintext
      .pipeThrough(createEncryptStream(dataKey))
      .pipeThrough(createDecryptStream(dataKey))
      .getReader();

    const baseline = process.memoryUsage().rss;
    let peak = baseline;
    let total = 0;
    const actual = createHash('sha256');
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      actual.update(value);
      total += value.length;
      peak = Math.max(peak, process.memoryUsage().rss);
    }

    assert.equal(total, TOTAL);
    assert.equal(actual.digest('hex'), expected.digest('hex'));
    const growth = peak - baseline;
    assert.ok(growth < 64 * MiB, `RSS grew by ${(growth / MiB).toFixed(1)} MiB`);
  });
});
