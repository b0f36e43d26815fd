import assert from 'node:assert/strict';
import { createServer, type AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { NetworkError } from './errors';
import { assertPortsFree } from './ports';

describe('port check', () => {
  it('names the port in use and what needed it', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      await assert.rejects(
        assertPortsFree([{ port, owner: 'peer0.hospital-a', purpose: 'listen' }]),
        (e: unknown) =>
          e instanceof NetworkError &&
          e.code === 'PORT_IN_USE' &&
          e.message.startsWith(`port ${port} (peer0.hospital-a listen) is in use`),
      );
    } finally {
      server.close();
    }
    await assertPortsFree([{ port, owner: 'x', purpose: 'listen' }]);
  });
});
