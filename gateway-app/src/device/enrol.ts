import { KeyObject, webcrypto, X509Certificate } from 'node:crypto';
import { z } from 'zod';
import {
  CERTIFICATE_PEM_PATTERN,
  DEVICE_ROLE,
  deviceIdOf,
  fabricAttributesOf,
  issuedBy,
  keyMatchesCertificate,
} from './certificate';
import { DeviceError } from './errors';
import { hasDeviceKey, saveDeviceIdentity, type DeviceIdentity } from './identity';
import * as x509 from '../x509';

/** What {@link enrolDevice} needs. */
export interface EnrolDeviceOptions {
  /** The gateway's base URL, e.g. `https://gateway.hospital-a.example` (http only on loopback). */
  gatewayUrl: string;
  mspId: string;
  /** The enrolment id the operator registered for this device with role=device. */
  enrollmentId: string;
  /** The one-time enrolment secret the operator handed out. */
  secret: string;
  keyDir: string;
  /** Replace an existing device key (the old one stops working once the gateway records the new one). */
  force?: boolean;
  /** `fetch` to use (default the global one). */
  fetch?: typeof globalThis.fetch;
  /** Deadline of the enrolment request in milliseconds (default 30 s). */
  timeoutMs?: number;
}

/** The path of the gateway's device enrolment endpoint, under its base URL. */
export const DEVICE_ENROLMENT_PATH = '/api/enrolments/device';

const MSP_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const ENROLLMENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,63}$/;
const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

const issuedSchema = z.object({
  certificate: z.string().max(8192).regex(CERTIFICATE_PEM_PATTERN),
  caCertificate: z.string().max(8192).regex(CERTIFICATE_PEM_PATTERN),
});
const refusalSchema = z.object({
  error: z.object({ code: z.string().max(64), message: z.string().max(1000) }),
});

/** The gateway's base URL without trailing slashes; https unless the gateway is on this machine. */
function gatewayBase(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new DeviceError('INVALID_ARGUMENT', `gateway URL ${value} is not a URL`);
  }
  const plainLoopback = url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  if (url.protocol !== 'https:' && !plainLoopback) {
    throw new DeviceError('INVALID_ARGUMENT', 'the gateway URL must use https (http only for localhost)');
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      'the gateway URL must not carry credentials, a query or a fragment',
    );
  }
  return url.href.replace(/\/+$/, '');
}

// Text from the gateway is printed on a terminal: no control characters, one bounded line.
function printable(text: string): string {
  return text.replace(/[\p{Cc}\p{Cf}]+/gu, ' ').slice(0, 300);
}

async function requestCertificate(
  options: EnrolDeviceOptions,
  url: string,
  csr: string,
): Promise<z.infer<typeof issuedSchema>> {
  const doFetch = options.fetch ?? globalThis.fetch;
  let response: Response;
  let text: string;
  try {
    response = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        mspId: options.mspId,
        enrollmentId: options.enrollmentId,
        secret: options.secret,
        csr,
      }),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
    });
    text = await response.text();
  } catch (cause) {
    throw new DeviceError('GATEWAY_UNAVAILABLE', `the gateway at ${url} could not be reached`, { cause });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (response.status === 201) {
    const issued = issuedSchema.safeParse(body);
    if (!issued.success) {
      throw new DeviceError(
        'BAD_RESPONSE',
        'the gateway answered 201 without a certificate and CA certificate',
      );
    }
    return issued.data;
  }
  if (response.status >= 400 && response.status < 500) {
    const refusal = refusalSchema.safeParse(body);
    const code = refusal.success ? printable(refusal.data.error.code) : 'UNKNOWN';
    const message = refusal.success ? printable(refusal.data.error.message) : 'no reason given';
    throw new DeviceError(
      'ENROLMENT_REFUSED',
      `the gateway refused the enrolment (${response.status} ${code}): ${message}`,
      { details: { status: response.status, gatewayCode: code } },
    );
  }
  throw new DeviceError('GATEWAY_UNAVAILABLE', `the gateway answered ${response.status}`, {
    details: { status: response.status },
  });
}

/**
 * Enrols this device: generates a P-256 key pair, sends a PKCS#10 request (CN = the enrolment id) with
 * the operator's enrolment secret to the gateway, which has the organisation's Fabric CA certify it, checks
 * that what comes back certifies our key with role=device and is signed by the returned CA, and only
 * then writes the key directory. Refuses to replace an existing key unless `force` is set.
 *
 * @throws {@link DeviceError} INVALID_ARGUMENT, KEY_EXISTS, ENROLMENT_REFUSED, GATEWAY_UNAVAILABLE or
 * BAD_RESPONSE; nothing is written in any of these cases.
 */
export async function enrolDevice(options: EnrolDeviceOptions): Promise<DeviceIdentity> {
  const base = gatewayBase(options.gatewayUrl);
  if (!MSP_ID.test(options.mspId)) throw new DeviceError('INVALID_ARGUMENT', 'the MSP ID is malformed');
  if (!ENROLLMENT_ID.test(options.enrollmentId)) {
    throw new DeviceError(
      'INVALID_ARGUMENT',
      'the enrolment id must be 1 to 64 letters, digits and . _ @ + - (starting with a letter or digit)',
    );
  }
  if (options.secret === '' || options.secret.length > 1024) {
    throw new DeviceError('INVALID_ARGUMENT', 'the enrolment secret is empty or too long');
  }
  // Checked before the request: an enrolment secret may be good for one enrolment only.
  if (!options.force && (await hasDeviceKey(options.keyDir))) {
    throw new DeviceError(
      'KEY_EXISTS',
      `${options.keyDir} already holds a device key; pass --force to replace it`,
      { details: { keyDir: options.keyDir } },
    );
  }

  x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: [{ CN: [options.enrollmentId] }],
    keys,
    signingAlgorithm: ALGORITHM,
  });
  const issued = await requestCertificate(options, `${base}${DEVICE_ENROLMENT_PATH}`, csr.toString('pem'));

  const privateKey = KeyObject.from(keys.privateKey);
  let certificate: X509Certificate;
  let ca: X509Certificate;
  try {
    certificate = new X509Certificate(issued.certificate);
    ca = new X509Certificate(issued.caCertificate);
  } catch (cause) {
    throw new DeviceError('BAD_RESPONSE', 'the gateway returned a certificate that cannot be parsed', {
      cause,
    });
  }
  if (!keyMatchesCertificate(privateKey, certificate)) {
    throw new DeviceError('BAD_RESPONSE', 'the returned certificate does not certify this device key');
  }
  if (!issuedBy(certificate, ca, new Date())) {
    throw new DeviceError(
      'BAD_RESPONSE',
      'the returned certificate is not signed by the returned CA or not valid now',
    );
  }
  if (fabricAttributesOf(issued.certificate)?.role !== DEVICE_ROLE) {
    throw new DeviceError(
      'BAD_RESPONSE',
      'the returned certificate lacks role=device; the operator must register the identity with the attribute role=device:ecert',
    );
  }
  const identity: DeviceIdentity = {
    keyDir: options.keyDir,
    mspId: options.mspId,
    enrollmentId: options.enrollmentId,
    gatewayUrl: base,
    deviceId: deviceIdOf(certificate),
    certificatePem: issued.certificate,
    caCertificatePem: issued.caCertificate,
    privateKey,
  };
  await saveDeviceIdentity(identity);
  return identity;
}
