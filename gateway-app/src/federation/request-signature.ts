import { sign, type KeyObject } from 'node:crypto';
import { privilegedRoleOf } from '../fabric-attributes';
import { rootsOf, type TrustBundle } from '../trust/bundle';
import { issuedByAny, verificationKeyOf, verifyDerSignature } from '../trust/certificates';
import * as x509 from '../x509';
import { FederationError } from './errors';

/** Headers of a request one organisation's gateway makes of another's. */
export const FEDERATION_HEADERS = {
  msp: 'x-medshare-gateway-msp',
  certificate: 'x-medshare-gateway-certificate',
  time: 'x-medshare-gateway-time',
  signature: 'x-medshare-gateway-signature',
} as const;

/** How far a request's time may be from the receiver's clock. */
const MAX_SKEW_MS = 60_000;

/** A gateway's own Fabric identity (certificate attribute `role=gateway`), which signs its requests. */
export interface GatewaySigner {
  mspId: string;
  certificatePem: string;
  privateKey: KeyObject;
}

function message(method: string, path: string, time: string): Uint8Array {
  return new TextEncoder().encode(`medshare/federation/v1\n${method.toUpperCase()}\n${path}\n${time}`);
}

/** Signs a request to another organisation's gateway with this gateway's identity. */
export function federationHeaders(
  signer: GatewaySigner,
  method: string,
  path: string,
  now: number = Date.now(),
): Record<string, string> {
  const time = new Date(now).toISOString();
  return {
    [FEDERATION_HEADERS.msp]: signer.mspId,
    [FEDERATION_HEADERS.certificate]: Buffer.from(signer.certificatePem).toString('base64'),
    [FEDERATION_HEADERS.time]: time,
    [FEDERATION_HEADERS.signature]: sign('sha256', message(method, path, time), signer.privateKey).toString(
      'base64',
    ),
  };
}

function refused(reason: string): never {
  throw new FederationError(`not a consortium gateway's request: ${reason}`);
}

/**
 * Checks a request comes from another consortium organisation's gateway: a
 * certificate issued by that organisation's CA root in the trust bundle with
 * `role=gateway`, a signature over the method, path and time, and a time
 * within a minute. Returns the caller's MSP id; `FEDERATION_REFUSED` otherwise.
 */
export async function verifyFederationRequest(
  header: (name: string) => string | undefined,
  method: string,
  path: string,
  trust: TrustBundle,
  now: number = Date.now(),
): Promise<string> {
  const mspId = header(FEDERATION_HEADERS.msp) ?? refused('no organisation named');
  const time = header(FEDERATION_HEADERS.time) ?? refused('no time');
  const at = Date.parse(time);
  if (!Number.isFinite(at) || Math.abs(at - now) > MAX_SKEW_MS) refused('its time is not now');
  let certificate: x509.X509Certificate;
  try {
    certificate = new x509.X509Certificate(
      Buffer.from(header(FEDERATION_HEADERS.certificate) ?? '', 'base64').toString('utf8'),
    );
  } catch {
    refused('no readable certificate');
  }
  if (privilegedRoleOf(certificate) !== 'gateway') refused('the certificate is not a gateway’s');
  const roots = trust.organisations.some((o) => o.mspId === mspId && o.role === 'peer')
    ? rootsOf(trust, mspId)
    : [];
  if (!(await issuedByAny(certificate, roots, new Date(now))))
    refused(`the certificate is not from ${mspId}'s CA`);
  const signature = Buffer.from(header(FEDERATION_HEADERS.signature) ?? '', 'base64');
  const key = await verificationKeyOf(certificate);
  if (!(await verifyDerSignature(key, signature, message(method, path, time))))
    refused('the signature does not verify');
  return mspId;
}
