import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Uploader } from '../client/api-client';

/**
 * Uploads over node:http with Content-Length and backpressure: Node's fetch
 * reads a streamed body ahead of the socket and sends it chunked, so large
 * ciphertexts would sit in memory and the gateway could not check the length.
 */
export const nodeUploader: Uploader = async (url, headers, body, length) => {
  const target = new URL(url);
  const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
    method: 'POST',
    headers: { ...headers, 'content-length': String(length) },
  });
  const answer = new Promise<{ status: number; text: string }>((resolve, reject) => {
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      });
      response.on('error', reject);
    });
    request.on('error', reject);
  });
  // The gateway may refuse before reading everything (413, 403): its answer is what matters.
  await pipeline(Readable.fromWeb(body), request).catch(() => undefined);
  return answer;
};
