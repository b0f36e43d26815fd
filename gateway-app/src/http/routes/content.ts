import { READ_WINDOW_MS } from 'medshare-chaincode/dist/access';
import type { UploadedContent } from '../../api/wire';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { AccountStore } from '../../auth';
import type { EncryptedStore } from '../../storage/encrypted-store';
import { passedDeviceCheck } from '../device-check';
import { HttpError } from '../errors';
import type { ApiRoutes } from '../routes';
import { signedIn } from '../signed-in';
import { noteRemoved, noteUpload, removalRefusal } from '../uploads';

/**
 * How long a ciphertext the ledger released to a session (access:ReadEnvelope)
 * may be fetched: the chaincode's read window, so an expired grant or opening
 * stops the content as it stops the envelope.
 */
export const CONTENT_RELEASE_MS = READ_WINDOW_MS;

/** What the content routes use. */
export interface ContentDeps {
  accounts: AccountStore;
  /** The encrypted store of each organisation's cluster peer, by MSP id. */
  storeOf(mspId: string): EncryptedStore;
  maxUploadBytes: number;
  deviceCheckMaxAgeMs: number;
  now?: () => number;
}

const CID = /^[A-Za-z0-9]{46,100}$/;

/**
 * Ciphertext in and out. Uploads stream into the organisation's cluster peer
 * and are acknowledged only once replicated; the store refuses anything that
 * is not in the envelope format, so plaintext cannot be stored. Downloads are
 * limited to ciphertexts the ledger just released to this session.
 */
export function contentRoutes(api: ApiRoutes, deps: ContentDeps): void {
  const now = deps.now ?? Date.now;

  api.add(
    {
      method: 'post',
      path: '/api/content',
      tag: 'content',
      summary: 'Upload one ciphertext (envelope format), streamed; answers once it is pinned on enough peers',
      audience: 'signed-in',
      rawBody: 'application/octet-stream',
      responses: {
        201: '{cid, size, contentHash}',
        400: 'the body is not in the envelope format (plaintext is refused)',
        403: 'DEVICE_CHECK_REQUIRED',
        411: 'Content-Length is required',
        413: 'larger than the gateway accepts',
        503: 'too few cluster peers are up to replicate it',
      },
    },
    async (req, res) => {
      const { account } = await signedIn(req, deps.accounts);
      passedDeviceCheck(req, now(), deps.deviceCheckMaxAgeMs, 'keep');
      if (!req.is('application/octet-stream')) {
        throw new HttpError(
          415,
          'UNSUPPORTED_MEDIA_TYPE',
          'upload the ciphertext as application/octet-stream',
        );
      }
      const declared = Number(req.get('content-length'));
      if (!Number.isSafeInteger(declared)) {
        throw new HttpError(411, 'LENGTH_REQUIRED', 'send Content-Length with the ciphertext');
      }
      if (declared > deps.maxUploadBytes) {
        req.resume();
        throw tooLarge(deps.maxUploadBytes);
      }
      // Node's HTTP parser ends the body at Content-Length, so the store sees at most `declared` bytes.
      const stored = await deps.storeOf(account.mspId).put(Readable.toWeb(req) as ReadableStream<Uint8Array>);
      const uploaded: UploadedContent = {
        cid: stored.cid,
        size: stored.size,
        contentHash: stored.contentHash,
      };
      noteUpload(req.session, stored.cid);
      res.status(201).json(uploaded);
    },
  );

  api.add(
    {
      method: 'delete',
      path: '/api/content/:cid',
      tag: 'content',
      summary:
        'Remove a ciphertext this session uploaded that no envelope on the ledger points at (its ledger step failed)',
      audience: 'signed-in',
      responses: {
        204: 'unpinned from the cluster',
        404: 'CONTENT_NOT_UPLOADED: this session uploaded no such ciphertext',
        409: 'CONTENT_IN_USE: a deposited envelope points at it; withdraw it first',
      },
    },
    async (req, res) => {
      const { account } = await signedIn(req, deps.accounts);
      const cid = String(req.params.cid);
      const refusal = removalRefusal(req.session, cid);
      if (refusal === 'NOT_UPLOADED') {
        throw new HttpError(404, 'CONTENT_NOT_UPLOADED', 'this session uploaded no such ciphertext');
      }
      if (refusal === 'IN_USE') {
        throw new HttpError(
          409,
          'CONTENT_IN_USE',
          'an envelope on the ledger points at this ciphertext; withdraw it first',
        );
      }
      await deps.storeOf(account.mspId).remove(cid);
      noteRemoved(req.session, cid);
      res.status(204).end();
    },
  );

  api.add(
    {
      method: 'get',
      path: '/api/content/:cid',
      tag: 'content',
      summary: 'Download a ciphertext the ledger released to this session (after access:ReadEnvelope)',
      audience: 'signed-in',
      responses: {
        200: 'the ciphertext, verified against the ledger hash as it streams',
        403: 'CONTENT_NOT_GRANTED: read the envelope through the ledger first (again, after five minutes)',
        404: 'not stored',
      },
    },
    async (req, res) => {
      const { account } = await signedIn(req, deps.accounts);
      const cid = String(req.params.cid);
      const released = CID.test(cid) ? req.session.content?.[cid] : undefined;
      // As the ledger's read window: a grant or opening that has since expired releases nothing more.
      if (!released || Date.now() - (released.at ?? 0) > CONTENT_RELEASE_MS) {
        throw new HttpError(
          403,
          'CONTENT_NOT_GRANTED',
          'open the record through the ledger before fetching it (a release lasts five minutes)',
        );
      }
      const expected = { contentHash: released.contentHash, size: released.size };
      const body = await deps.storeOf(account.mspId).get(cid, expected);
      res.status(200).set({
        'content-type': 'application/octet-stream',
        'content-length': String(expected.size),
        'cache-control': 'no-store',
      });
      // A hash mismatch ends the stream with an error, so the client sees a truncated body.
      await pipeline(Readable.fromWeb(body), res).catch(() => {
        res.destroy();
      });
    },
  );
}

function tooLarge(max: number): HttpError {
  return new HttpError(413, 'PAYLOAD_TOO_LARGE', `uploads are limited to ${max} bytes`);
}
