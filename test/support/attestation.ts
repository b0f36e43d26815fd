import { createHash, createPrivateKey, randomBytes, sign, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import { gatewayIdentity, type NetworkPlan, type OrgPlan } from 'medshare-network';
import { connectGateway, type GatewayConnection } from './gateway';

/** The functions that require a gateway attestation. */
export type AttestedAction = 'send' | 'access' | 'breakGlass';

/** An organisation's gateway service, as the tests play it. */
export interface OrgGateway {
  org: OrgPlan;
  /** The gateway's ledger id (what attestations name as `gatewayId`). */
  gatewayId: string;
  /** The chaincode's `attestation` contract, called as the gateway (RecordRefusal, GetGateway). */
  attestation: Contract;
  /**
   * The transient `attestation` value (JSON text) for `userId`'s next `action`:
   * a claim valid for two minutes from now, signed with the gateway's key.
   * `claim` overrides fields of the claim.
   */
  attest(userId: string, action: AttestedAction, claim?: Record<string, unknown>): string;
  close(): void;
}

const hex = (text: string): string => createHash('sha256').update(text).digest('hex');

const announced = new Map<string, Promise<OrgGateway>>();

/**
 * Connects as the gateway identity of organisation `orgKey` (enrolled by
 * `network up` with role=gateway), announces it with attestation:AnnounceGateway
 * the first time it is asked for in this process, and signs attestations with
 * its enrolment key. Close with {@link closeGateways}.
 */
export function orgGateway(plan: NetworkPlan, orgKey: string): Promise<OrgGateway> {
  const cacheKey = `${plan.runDir}\n${orgKey}`;
  let gateway = announced.get(cacheKey);
  if (!gateway) {
    gateway = announce(plan, orgKey);
    announced.set(cacheKey, gateway);
  }
  return gateway;
}

async function announce(plan: NetworkPlan, orgKey: string): Promise<OrgGateway> {
  const org = plan.peerOrgs.find((o) => o.key === orgKey);
  const peer = org?.nodes[0];
  if (!org || !peer) throw new Error(`no peer organisation ${orgKey}`);
  const files = gatewayIdentity(org);
  const certificate = await readFile(files.signCert, 'utf8');
  const privateKey: KeyObject = createPrivateKey(await readFile(join(files.msp, 'keystore', 'key.pem')));
  const { userId: gatewayId } = identityOfCertificate(org.mspId, certificate);
  const connection: GatewayConnection = await connectGateway(org, peer, files);
  const attestation = connection.gateway
    .getNetwork(plan.channel)
    .getContract(plan.chaincode.name, 'attestation');
  await attestation.submitTransaction('AnnounceGateway');
  return {
    org,
    gatewayId,
    attestation,
    attest: (userId, action, overrides = {}) => {
      const now = Date.now();
      const claim = JSON.stringify({
        v: 1,
        action,
        userId,
        deviceId: hex(`test device of ${userId}`),
        postureHash: hex(`posture ${String(now)}`),
        factorHash: hex(`second factor ${String(now)}`),
        nonce: randomBytes(18).toString('base64url'),
        issuedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + 120_000).toISOString(),
        ...overrides,
      });
      // ECDSA over SHA-256 of the claim's UTF-8 bytes, DER-encoded (node's default for EC keys).
      const signature = sign('sha256', Buffer.from(claim, 'utf8'), privateKey).toString('base64');
      return JSON.stringify({ claim, signature, gatewayId });
    },
    close: () => {
      connection.close();
    },
  };
}

/** Closes every gateway connection {@link orgGateway} opened in this process. */
export async function closeGateways(): Promise<void> {
  const gateways = [...announced.values()];
  announced.clear();
  for (const gateway of await Promise.allSettled(gateways)) {
    if (gateway.status === 'fulfilled') gateway.value.close();
  }
}
