import { randomBytes, sign, type KeyObject } from 'node:crypto';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import type { AttestedAction } from './calls';

/** What the gateway verified before a send, an access or a break-glass. */
export interface AttestationFacts {
  action: AttestedAction;
  userId: string;
  /** SHA-256 of the device certificate's public key. */
  deviceId: string;
  /** SHA-256 of the signed posture report the device presented. */
  postureHash: string;
  /** SHA-256 of the session's second-factor claim. */
  factorHash: string;
}

/** How long an attestation may wait between preparation and endorsement. */
const VALIDITY_MS = 2 * 60_000;

/**
 * Signs attestations with the gateway service's own key of each organisation.
 * The chaincode checks the signature against the key the service announced,
 * then stores the hashes on the record: the ledger shows which device check
 * and which second factor authorised each send and each access.
 */
export class Attestor {
  readonly #keys = new Map<string, { gatewayId: string; privateKey: KeyObject }>();
  readonly #now: () => Date;

  constructor(
    services: readonly { mspId: string; certificate: Buffer; privateKey: KeyObject }[],
    now: () => Date = () => new Date(),
  ) {
    for (const service of services) {
      const { userId } = identityOfCertificate(service.mspId, service.certificate.toString('utf8'));
      this.#keys.set(service.mspId, { gatewayId: userId, privateKey: service.privateKey });
    }
    this.#now = now;
  }

  /** The gateway service's ledger id in `mspId`. */
  gatewayId(mspId: string): string {
    const key = this.#keys.get(mspId);
    if (!key) throw new RangeError(`the gateway has no service identity in ${mspId}`);
    return key.gatewayId;
  }

  /** The transient `attestation` value for a transaction of a user of `mspId`. */
  attest(mspId: string, facts: AttestationFacts): Uint8Array {
    const key = this.#keys.get(mspId);
    if (!key) throw new RangeError(`the gateway has no service identity in ${mspId}`);
    const issuedAt = this.#now();
    const claim = JSON.stringify({
      v: 1,
      action: facts.action,
      userId: facts.userId,
      deviceId: facts.deviceId,
      postureHash: facts.postureHash,
      factorHash: facts.factorHash,
      nonce: randomBytes(18).toString('base64url'),
      issuedAt: issuedAt.toISOString(),
      expiresAt: new Date(issuedAt.getTime() + VALIDITY_MS).toISOString(),
    });
    const signature = sign('sha256', Buffer.from(claim, 'utf8'), key.privateKey).toString('base64');
    return Buffer.from(JSON.stringify({ claim, signature, gatewayId: key.gatewayId }), 'utf8');
  }
}
