import {
  DataKey,
  assertTransferSignature,
  ciphertextSize,
  createContentHasher,
  createDecryptStream,
  createEncryptStream,
  signTransfer,
  combineShares,
  splitForHolders,
  unwrapDataKey,
  wrapDataKey,
  sealLabel,
  type RecordLabel,
  type EncryptionKeyPair,
  type ShareContribution,
} from '../envelope';
import { toBase64, toHex } from '../envelope/bytes';
import { ApiError, type GatewayClient } from './api-client';
import { depositThenRecord, envelopeDeposit } from './deposit';
import { verifiedKeySet } from './emergency-keyset';
import { getKeyHolder, getUser } from './key-holder';
import { callLedger, parseResult, type LedgerIdentity } from './ledger-call';

/** Everything a user's device holds: the signing identity and the encryption key pair. */
export interface DeviceKeys extends LedgerIdentity {
  userId: string;
  encryption: EncryptionKeyPair;
}

/** Asks the device agent on this machine for a posture report signed over the gateway's nonce. */
export interface DeviceAgent {
  report(nonce: string, audience: string): Promise<unknown>;
}

/** A device agent reached over HTTP on loopback (default port 7391). */
export function httpDeviceAgent(url = 'http://127.0.0.1:7391', fetcher: typeof fetch = fetch): DeviceAgent {
  return {
    async report(nonce, audience) {
      const response = await fetcher(`${url.replace(/\/+$/, '')}/v1/reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ nonce, audience }),
      }).catch((error: unknown) => {
        throw new ApiError(0, 'DEVICE_AGENT_UNREACHABLE', `no device agent answers at ${url}`, {
          cause: String(error),
        });
      });
      if (!response.ok) {
        throw new ApiError(
          response.status,
          'DEVICE_AGENT_REFUSED',
          `the device agent answered ${response.status}`,
        );
      }
      return response.json();
    },
  };
}

/** Runs the device check for the next send, access or break-glass. */
export async function checkDevice(
  client: GatewayClient,
  agent: DeviceAgent,
  action: 'login' | 'send' | 'access' | 'breakGlass',
  recordId?: string,
): Promise<{ deviceId: string; postureHash: string }> {
  const { nonce, audience } = await client.deviceCheckNonce();
  return client.verifyDevice(await agent.report(nonce, audience), action, recordId);
}

/** A registry entry as the ledger returns it. */
export type { UserView } from '../api/ledger-rows';

export { getKeyHolder, getUser } from './key-holder';

/** A record id: 138 random bits, URL-safe, starting with a letter. */
export function newRecordId(): string {
  const id = toBase64(crypto.getRandomValues(new Uint8Array(18)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_');
  // Starting with a letter: an id beginning with "-" reads as an option on a command line.
  return `r${id.slice(1)}`;
}

/** What to send. */
export interface Outgoing {
  recipientId: string;
  /** The plaintext, streamed: it is encrypted on this device and never leaves it unencrypted. */
  plaintext: ReadableStream<Uint8Array>;
  size: number;
  mediaType: string;
  /** Non-identifying descriptive metadata kept in the private envelope (modality, say). */
  metadata?: Record<string, string>;
  /**
   * What the parties' record lists show (study description, modality, date): sealed on this device for the
   * sender and the recipient and kept, as ciphertext, on the public transfer record.
   */
  label?: RecordLabel;
  recordId?: string;
}

/** A committed transfer. */
export interface Sent {
  recordId: string;
  txId: string;
  cid: string;
  contentHash: string;
  blockNumber?: string;
}

/**
 * The sender's flow: device check, the recipient's key from the ledger,
 * encryption on the device, upload of the ciphertext (acknowledged once
 * replicated), and the transfer recorded on the ledger.
 */
export async function sendRecord(
  client: GatewayClient,
  keys: DeviceKeys,
  agent: DeviceAgent,
  outgoing: Outgoing,
): Promise<Sent> {
  const recordId = outgoing.recordId ?? newRecordId();
  await checkDevice(client, agent, 'send', recordId);
  const recipient = await getKeyHolder(client, keys, outgoing.recipientId);
  if (recipient.status !== 'active') {
    throw new ApiError(409, 'RECIPIENT_INACTIVE', 'the recipient is not an active user');
  }
  // Checked before anything is encrypted: a key set this device cannot verify stops the send.
  const keySet = await verifiedKeySet(client, keys, recipient.mspId);
  const dataKey = await DataKey.generate();
  const hasher = createContentHasher();
  const ciphertext = outgoing.plaintext.pipeThrough(createEncryptStream(dataKey)).pipeThrough(hasher.stream);
  const stored = await client.upload(ciphertext, ciphertextSize(outgoing.size));
  try {
    if (stored.contentHash !== hasher.digest()) {
      throw new ApiError(502, 'UPLOAD_CORRUPTED', 'the stored ciphertext is not the one this device sent');
    }
    const deposit = await envelopeDeposit(
      {
        cid: stored.cid,
        size: stored.size,
        mediaType: outgoing.mediaType,
        wrappedKey: await wrapDataKey(dataKey, recipient.encryptionKey.spki, outgoing.recipientId),
        signature: await signTransferAs(keys, {
          recordId,
          cid: stored.cid,
          contentHash: stored.contentHash,
          recipientId: outgoing.recipientId,
        }),
        salt: toBase64(crypto.getRandomValues(new Uint8Array(16))),
        ...(keySet
          ? {
              emergencyShares: await splitForHolders(
                dataKey,
                keySet.holders,
                keySet.threshold,
                keySet.version,
              ),
            }
          : {}),
        ...(outgoing.metadata ? { metadata: outgoing.metadata } : {}),
      },
      {
        recordId,
        readerId: outgoing.recipientId,
        senderId: keys.userId,
        contentHash: stored.contentHash,
        depositorId: keys.userId,
      },
    );
    const committed = await depositThenRecord(
      client,
      keys,
      {
        deposit: { fn: 'transfer:DepositEnvelope', args: [recordId, outgoing.recipientId] },
        record: outgoing.label
          ? {
              fn: 'transfer:SendLabelled',
              args: [
                recordId,
                outgoing.recipientId,
                stored.contentHash,
                await sealLabel(outgoing.label, recordId, [
                  { userId: outgoing.recipientId, spki: recipient.encryptionKey.spki },
                  { userId: keys.userId, spki: keys.encryption.publicKeySpki },
                ]),
              ],
            }
          : { fn: 'transfer:Send', args: [recordId, outgoing.recipientId, stored.contentHash] },
      },
      deposit,
    );
    return {
      recordId,
      txId: committed.txId,
      cid: stored.cid,
      contentHash: stored.contentHash,
      ...(committed.blockNumber ? { blockNumber: committed.blockNumber } : {}),
    };
  } catch (error) {
    // The ledger step failed: the ciphertext goes too (the gateway keeps it while an envelope points at it).
    await client.discardUpload(stored.cid).catch(() => undefined);
    throw error;
  }
}

async function signTransferAs(
  keys: DeviceKeys,
  fields: { recordId: string; cid: string; contentHash: string; recipientId: string },
): Promise<string> {
  return signTransfer(keys.signer.privateKey, fields);
}

/** The private envelope of a record as the ledger releases it to its reader. */
export interface ReleasedEnvelope {
  recordId: string;
  cid: string;
  size: number;
  mediaType: string;
  /** The reader's wrapped data key; a break-glass doctor gets `keyShares` instead. */
  wrappedKey?: string;
  /** For a break-glass doctor: the emergency holders' key shares, re-wrapped for them, to combine here. */
  keyShares?: (ShareContribution & { keySetVersion: number; check: string })[];
  signature: string;
  senderId: string;
  /** Whom the sender sent (and signed) the record for. */
  recipientId: string;
  contentHash: string;
  readerId: string;
  metadata?: Record<string, string>;
}

/** An opened record. */
export interface Opened {
  envelope: ReleasedEnvelope;
  accessTxId: string;
  /** The decrypted content; it errors if the ciphertext was altered. */
  plaintext: ReadableStream<Uint8Array>;
}

/**
 * The receiver's flow: device check, the access attempt recorded on the
 * ledger (a denial is recorded too, and refused), the envelope, the sender's
 * signature checked against the ledger's key, then download and decryption
 * on the device.
 */
export async function openRecord(
  client: GatewayClient,
  keys: DeviceKeys,
  agent: DeviceAgent,
  recordId: string,
  purpose: string,
): Promise<Opened> {
  await checkDevice(client, agent, 'access', recordId);
  const access = await callLedger(client, keys, 'access:RecordAccess', [recordId, purpose]);
  const envelope = parseResult(
    await callLedger(client, keys, 'access:ReadEnvelope', [recordId, access.txId]),
  ) as ReleasedEnvelope;
  const sender = await getUser(client, keys, envelope.senderId);
  // The sender signed for the original recipient; a grantee reads a copy of that envelope.
  await assertTransferSignature(
    sender.signingKey.spki,
    { recordId, cid: envelope.cid, contentHash: envelope.contentHash, recipientId: envelope.recipientId },
    envelope.signature,
  );
  const dataKey = await readerDataKey(envelope, keys);
  const ciphertext = await client.download(envelope.cid);
  return {
    envelope,
    accessTxId: access.txId,
    plaintext: ciphertext.pipeThrough(createDecryptStream(dataKey)),
  };
}

/**
 * A patient grants a doctor access: the patient's device opens its own
 * envelope, wraps the data key for the doctor's key from the ledger, and
 * records the grant.
 */
export async function grantAccess(
  client: GatewayClient,
  keys: DeviceKeys,
  agent: DeviceAgent,
  grant: { recordId: string; granteeId: string; purpose: string; expiresAt: string },
): Promise<{ txId: string }> {
  await checkDevice(client, agent, 'access', grant.recordId);
  const access = await callLedger(client, keys, 'access:RecordAccess', [grant.recordId, 'PATRQT']);
  const own = parseResult(
    await callLedger(client, keys, 'access:ReadEnvelope', [grant.recordId, access.txId]),
  ) as ReleasedEnvelope;
  const grantee = await getKeyHolder(client, keys, grant.granteeId);
  const dataKey = await readerDataKey(own, keys);
  const deposit = await envelopeDeposit(
    {
      cid: own.cid,
      size: own.size,
      mediaType: own.mediaType,
      wrappedKey: await wrapDataKey(dataKey, grantee.encryptionKey.spki, grant.granteeId),
      signature: own.signature,
      salt: toBase64(crypto.getRandomValues(new Uint8Array(16))),
      ...(own.metadata ? { metadata: own.metadata } : {}),
    },
    {
      recordId: grant.recordId,
      readerId: grant.granteeId,
      senderId: own.senderId,
      contentHash: own.contentHash,
      depositorId: keys.userId,
    },
  );
  const committed = await depositThenRecord(
    client,
    keys,
    {
      deposit: { fn: 'access:DepositGrantEnvelope', args: [grant.recordId, grant.granteeId] },
      record: {
        fn: 'access:GrantAccess',
        args: [grant.recordId, grant.granteeId, grant.purpose, grant.expiresAt],
      },
    },
    deposit,
  );
  return { txId: committed.txId };
}

/**
 * The data key of a released envelope: unwrapped with this device's key, or,
 * for a break-glass doctor, combined here from the emergency holders' shares
 * and checked against the sender's check value, which every share must carry alike.
 */
async function readerDataKey(envelope: ReleasedEnvelope, keys: DeviceKeys): Promise<DataKey> {
  if (envelope.wrappedKey !== undefined)
    return unwrapDataKey(envelope.wrappedKey, keys.encryption, keys.userId);
  const shares = envelope.keyShares ?? [];
  const [first] = shares;
  if (!first || shares.some((s) => s.check !== first.check)) {
    throw new ApiError(502, 'KEY_SHARES_INVALID', 'the released key shares do not agree with each other');
  }
  return combineShares(shares, first.check, { doctorId: keys.userId, keyPair: keys.encryption });
}

/** SHA-256 hex of a text, for justification and note hashes kept off the ledger. */
export async function textHash(text: string): Promise<string> {
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text))));
}
