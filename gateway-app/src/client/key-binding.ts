import { keyBindingText, type KeyBindingStatement } from 'medshare-chaincode/dist/key-binding';
import type { UserView } from '../api/ledger-rows';
import type { WebCryptoKey } from '../envelope';
import { fromBase64, toBase64, toHex, utf8 } from '../envelope/bytes';
import { rootsOf, type TrustBundle } from '../trust/bundle';
import { issuedByAny } from '../trust/certificates';
import * as x509 from '../x509';
import { ApiError, type GatewayClient } from './api-client';
import type { DeviceKeys } from './flows';
import { callLedger, parseResult } from './ledger-call';

const ECDSA_SHA256 = { name: 'ECDSA', hash: 'SHA-256' } as const;

/**
 * Raised when a registry entry's encryption key is not bound to its owner by
 * the owner's own signature: this device wraps no data key for it, whoever
 * (a gateway, an admin, an operator) put it there.
 */
export class KeyBindingError extends Error {
  override readonly name = 'KeyBindingError';
  readonly code = 'KEY_BINDING_INVALID';
}

async function fingerprintOf(spki: string): Promise<string> {
  const der = fromBase64(spki);
  if (der === undefined) throw new KeyBindingError('the encryption key is not base64');
  return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', der)));
}

/**
 * This device's signature binding its encryption key `spki` to its user at
 * `version` (1 at registration, one more at each rotation), made with the key
 * of the user's certificate: what registry:RegisterSelf and
 * registry:RotateEncryptionKey take.
 */
export async function signKeyBinding(
  signingKey: WebCryptoKey,
  statement: Omit<KeyBindingStatement, 'fingerprint'>,
): Promise<string> {
  const text = keyBindingText({ ...statement, fingerprint: await fingerprintOf(statement.spki) });
  return toBase64(new Uint8Array(await crypto.subtle.sign(ECDSA_SHA256, signingKey, utf8(text))));
}

/**
 * Checks, before a data key is wrapped for `entry`'s encryption key, that its
 * owner bound it: the binding is the signature, by the signing key the
 * registry holds for the user, over (user id, organisation, key,
 * fingerprint, version). The entry itself came verified from peers of two
 * organisations, and the chaincode took that signing key from the
 * certificate of the user's own registration, which Fabric validated against
 * the organisation's CA; `certificatePem`, when the device has the user's
 * certificate at hand (a directory entry), must also come from the pinned CA
 * and certify that key. So a key that anyone but its owner managed to put on
 * the ledger for the user is never used.
 *
 * @throws {@link KeyBindingError} `KEY_BINDING_INVALID` otherwise.
 */
export async function verifyKeyBinding(
  entry: UserView,
  trust: TrustBundle,
  certificatePem?: string,
  at: Date = new Date(),
): Promise<void> {
  const { binding, version, spki, fingerprint } = entry.encryptionKey;
  const refuse = (reason: string): never => {
    throw new KeyBindingError(`refusing the encryption key of ${entry.userId}: ${reason}`);
  };
  if (binding === undefined || version === undefined) refuse('its owner never signed it (no key binding)');
  if (certificatePem !== undefined) {
    let certificate: x509.X509Certificate | undefined;
    try {
      certificate = new x509.X509Certificate(certificatePem);
    } catch {
      refuse('the certificate does not parse');
    }
    if (certificate === undefined || !(await issuedByAny(certificate, rootsOf(trust, entry.mspId), at))) {
      return refuse(`the certificate is not issued by the pinned CA of ${entry.mspId}`);
    }
    if (toBase64(new Uint8Array(certificate.publicKey.rawData)) !== entry.signingKey.spki) {
      refuse('the certificate does not certify the registry signing key');
    }
  }
  if ((await fingerprintOf(spki)) !== fingerprint) refuse('the fingerprint is not the key’s');
  const signingKey = fromBase64(entry.signingKey.spki) ?? refuse('the registry signing key is not base64');
  const verifier = await crypto.subtle
    .importKey('spki', signingKey, { name: 'ECDSA', namedCurve: 'P-256' }, false, ['verify'])
    .catch(() => refuse('the registry signing key is not a P-256 key'));
  const signature = fromBase64(binding ?? '');
  const text = keyBindingText({
    userId: entry.userId,
    mspId: entry.mspId,
    spki,
    fingerprint,
    version: version ?? 0,
  });
  const valid =
    signature?.length === 64 && (await crypto.subtle.verify(ECDSA_SHA256, verifier, signature, utf8(text)));
  if (!valid) refuse('the key binding is not its owner’s signature');
}

/**
 * Registers this device's encryption key on the ledger with its binding
 * (registry:RegisterSelf, key version 1). If the user is registered already,
 * the registered key must be this device's: a different one (set by anyone
 * else, or on another device) is an alarm (`REGISTERED_KEY_MISMATCH`), never success.
 *
 * @returns the registration's transaction id, or undefined if this very key was registered before.
 */
export async function registerOwnKey(client: GatewayClient, keys: DeviceKeys): Promise<string | undefined> {
  const spki = keys.encryption.publicKeySpki;
  const binding = await signKeyBinding(keys.signer.privateKey, {
    userId: keys.userId,
    mspId: keys.mspId,
    spki,
    version: 1,
  });
  try {
    return (await callLedger(client, keys, 'registry:RegisterSelf', [spki, binding])).txId;
  } catch (error) {
    if (!(error instanceof ApiError && error.code === 'ALREADY_EXISTS')) throw error;
  }
  await requireOwnKeyRegistered(client, keys);
  return undefined;
}

/** Raised when the ledger holds another encryption key for the user than the one on this device. */
export class KeyMismatchError extends Error {
  override readonly name = 'KeyMismatchError';
  readonly code = 'REGISTERED_KEY_MISMATCH';
}

/**
 * Compares the encryption key the ledger holds for this device's user (a
 * verified read) with the device's own: what the user sees as an alarm when
 * they differ, for then records sent to them are wrapped for a key they do
 * not hold.
 *
 * @throws {@link KeyMismatchError} `REGISTERED_KEY_MISMATCH` when they differ.
 */
export async function requireOwnKeyRegistered(client: GatewayClient, keys: DeviceKeys): Promise<void> {
  const entry = parseResult(await callLedger(client, keys, 'registry:WhoAmI', [])) as UserView;
  if (entry.encryptionKey.spki !== keys.encryption.publicKeySpki) {
    throw new KeyMismatchError(
      `the ledger holds another encryption key for you (fingerprint ${entry.encryptionKey.fingerprint}) than the one on this device: records sent to you are wrapped for it. Tell your organisation's security officer.`,
    );
  }
}
