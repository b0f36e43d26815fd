import type { Request } from 'express';
import { z } from 'zod';
import type { AccountStore } from '../../auth';
import type { Attestor } from '../../fabric/attestor';
import { callSpec } from '../../fabric/calls';
import type { SignedResult } from '../../api/wire';
import type { OfflineSigning } from '../../fabric/offline-signing';
import { peerOrganisations, type TrustBundle } from '../../trust/bundle';
import { passedDeviceCheck } from '../device-check';
import { HttpError } from '../errors';
import type { ApiRoutes } from '../routes';
import { enrolled, signedIn } from '../signed-in';
import { noteCommitted, notePrepared } from '../uploads';

/** What the transaction routes use. */
export interface TransactionDeps {
  accounts: AccountStore;
  signing: OfflineSigning;
  attestor: Attestor;
  /** Whether `cid` is pinned on at least the minimum number of the organisation's cluster peers. */
  replicated(mspId: string, cid: string): Promise<boolean>;
  /** How long a passed device check may wait for the send or access it authorises. */
  deviceCheckMaxAgeMs: number;
  /** The consortium's trust anchors: its peer organisations may endorse a read. */
  trustBundle: TrustBundle;
  now?: () => number;
}

const MAX_ENVELOPE = 16 * 1024;

const prepareBody = z.strictObject({
  fn: z.string().regex(/^[a-z]+:[A-Z][A-Za-z]+$/, 'contract:Function'),
  args: z.array(z.string().max(16 * 1024)).max(8),
  transient: z.strictObject({ envelope: z.record(z.string(), z.unknown()) }).optional(),
  endorsers: z
    .array(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'an MSP id'))
    .min(1)
    .max(8)
    .optional(),
});

const signatureBody = z.strictObject({
  stage: z.enum(['proposal', 'transaction', 'commit']),
  signature: z.base64().max(200),
});

/**
 * Ledger calls with offline signing: the device asks for a call, the gateway
 * prepares each message in the user's name, the device checks and signs it.
 * Sends, accesses and break-glass openings carry the gateway's attestation of
 * the session's second factor and of a device check passed moments before.
 */
export function transactionRoutes(api: ApiRoutes, deps: TransactionDeps): void {
  const now = deps.now ?? Date.now;

  api.add(
    {
      method: 'post',
      path: '/api/transactions',
      tag: 'ledger',
      summary: 'Prepare a chaincode call in the signed-in user\u2019s name; returns the proposal to sign',
      audience: 'signed-in',
      body: prepareBody,
      responses: {
        201: 'the proposal to sign: {id, txId, stage, message}',
        400: 'unknown function, wrong arity or malformed envelope',
        403: 'DEVICE_CHECK_REQUIRED: sends and accesses need a device check first',
        409: 'the envelope points at content that is not stored and replicated',
      },
    },
    async (req, res, body) => {
      const { account, auth } = await signedIn(req, deps.accounts);
      const spec = callSpec(body.fn);
      if (!spec)
        throw new HttpError(400, 'UNKNOWN_FUNCTION', `${body.fn} cannot be called through the gateway`);
      if (body.args.length !== spec.args.length) {
        throw new HttpError(400, 'WRONG_ARGUMENTS', `${body.fn} takes (${spec.args.join(', ')})`);
      }
      if (body.endorsers && spec.kind !== 'evaluate') {
        throw new HttpError(
          400,
          'UNEXPECTED_ENDORSERS',
          `${body.fn} is endorsed as the chaincode's policy says`,
        );
      }
      const peers = peerOrganisations(deps.trustBundle);
      const unknown = body.endorsers?.filter((mspId) => !peers.includes(mspId)) ?? [];
      if (unknown.length > 0) {
        throw new HttpError(400, 'UNKNOWN_ORGANISATION', `no peer organisation ${unknown.join(', ')}`);
      }
      const user = enrolled(account);
      const transient: Record<string, Uint8Array> = {};
      if (spec.envelope) {
        transient.envelope = await checkedEnvelope(body.transient?.envelope, user.mspId, deps);
      } else if (body.transient) {
        throw new HttpError(400, 'UNEXPECTED_TRANSIENT', `${body.fn} takes no transient data`);
      }
      if (spec.attest) {
        const check = passedDeviceCheck(req, now(), deps.deviceCheckMaxAgeMs, 'consume');
        transient.attestation = deps.attestor.attest(user.mspId, {
          action: spec.attest,
          userId: user.userId,
          deviceId: check.deviceId,
          postureHash: check.postureHash,
          factorHash: auth.factorHash,
        });
      }
      const step = deps.signing.prepare(
        { accountId: user.accountId, mspId: user.mspId, certificatePem: user.certificatePem },
        body.fn,
        spec,
        body.args,
        transient,
        body.endorsers,
      );
      const [recordId = '', readerId = ''] = body.args;
      if (spec.envelope && typeof body.transient?.envelope.cid === 'string') {
        notePrepared(req.session, step.id, {
          deposit: { cid: body.transient.envelope.cid, key: `${recordId}/${readerId}` },
        });
      } else if (body.fn === 'transfer:WithdrawEnvelope') {
        notePrepared(req.session, step.id, { withdraw: `${recordId}/${readerId}` });
      }
      res.status(201).json(step);
    },
  );

  api.add(
    {
      method: 'post',
      path: '/api/transactions/:id/signatures',
      tag: 'ledger',
      summary:
        'Hand in the device\u2019s signature of the current stage; returns the next message or the result',
      audience: 'signed-in',
      body: signatureBody,
      responses: {
        200: 'the next message to sign, or {stage: "done", result, txId}',
        403: 'ACCESS_DENIED (a denied access, recorded on the ledger) or SIGNATURE_REJECTED',
        404: 'no such prepared transaction',
        409: 'WRONG_STAGE, TX_CONFLICT (sign again) or TX_INVALID',
      },
    },
    async (req, res, body) => {
      const { account } = await signedIn(req, deps.accounts);
      const outcome = await deps.signing.sign(
        account.accountId,
        String(req.params.id),
        body.stage,
        Buffer.from(body.signature, 'base64'),
      );
      if (outcome.stage === 'done') {
        noteCommitted(req.session, outcome.id);
        afterResult(req, outcome);
      }
      res.json(outcome);
    },
  );
}

async function checkedEnvelope(
  envelope: Record<string, unknown> | undefined,
  mspId: string,
  deps: TransactionDeps,
): Promise<Uint8Array> {
  if (!envelope) throw new HttpError(400, 'ENVELOPE_REQUIRED', 'this call needs transient.envelope');
  const bytes = Buffer.from(JSON.stringify(envelope), 'utf8');
  if (bytes.length > MAX_ENVELOPE)
    throw new HttpError(400, 'ENVELOPE_TOO_LARGE', 'the envelope exceeds 16 KiB');
  const cid = envelope.cid;
  if (typeof cid !== 'string') throw new HttpError(400, 'INVALID_REQUEST', 'envelope.cid: a CID is required');
  if (!(await deps.replicated(mspId, cid))) {
    throw new HttpError(409, 'CONTENT_NOT_REPLICATED', `${cid} is not stored and replicated in the cluster`);
  }
  return bytes;
}

const MAX_GRANTED_CONTENT = 64;

/** What a finished call changes in the session, or how it is refused. */
function afterResult(req: Request, outcome: SignedResult): void {
  if (outcome.fn === 'access:RecordAccess') {
    const decision = JSON.parse(outcome.result) as { outcome?: string; reason?: string; txId?: string };
    if (decision.outcome !== 'granted') {
      throw new HttpError(403, 'ACCESS_DENIED', decision.reason ?? 'access denied', {
        details: { txId: outcome.txId, recordedOnLedger: true },
      });
    }
  }
  if (outcome.fn === 'access:ReadEnvelope') {
    // The ciphertext this answer names may now be fetched by this session, and only it.
    const envelope = JSON.parse(outcome.result) as { cid?: unknown; size?: unknown; contentHash?: unknown };
    if (
      typeof envelope.cid === 'string' &&
      typeof envelope.size === 'number' &&
      typeof envelope.contentHash === 'string'
    ) {
      const content = { ...(req.session.content ?? {}) };
      content[envelope.cid] = { contentHash: envelope.contentHash, size: envelope.size, at: Date.now() };
      req.session.content = Object.fromEntries(Object.entries(content).slice(-MAX_GRANTED_CONTENT));
    }
  }
}
