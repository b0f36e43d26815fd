import * as x509 from '@peculiar/x509';
import { KeyObject, webcrypto } from 'node:crypto';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const FABRIC_ATTRS_OID = '1.2.3.4.5.6.7.8.1';

/** A test certificate authority, standing in for an organisation's Fabric CA. */
export interface TestCa {
  name: string;
  cert: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

/** Creates a self-signed test CA. */
export async function createCa(name: string): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `C=US, O=${name}, CN=ca.${name}`,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2036-01-01T00:00:00Z'),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { name, cert, keys };
}

/**
 * A self-made CA with the same subject as the real CA certificate `caPem`,
 * and a key of its own: what a forger can make, naming the organisation's CA.
 */
export async function impersonateCa(caPem: string, name = 'forged'): Promise<TestCa> {
  const real = new x509.X509Certificate(caPem);
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: real.serialNumber,
    name: real.subjectName,
    notBefore: new Date(Date.now() - 3_600_000),
    notAfter: new Date(Date.now() + 365 * 86_400_000),
    keys,
    signingAlgorithm: algorithm,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true)],
  });
  return { name, cert, keys };
}

/**
 * What a test certificate says: its `role` attribute, its `powers` attribute
 * (admins' and gateways', which only a CA's bootstrap registrar issues) and
 * its identity type OU.
 */
export interface CertificateOptions {
  role?: string;
  powers?: string;
  ou?: string;
}

/** A certificate and its private key, as a user's device would hold them. */
export interface TestIdentity {
  pem: string;
  privateKey: KeyObject;
}

/** Issues a certificate as {@link issueCertificate} does, and returns its private key too. */
export async function issueIdentity(
  ca: TestCa,
  cn: string,
  options: CertificateOptions = {},
): Promise<TestIdentity> {
  const keys = await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']);
  const pem = await issueWithKeys(ca, cn, options, keys);
  return { pem, privateKey: KeyObject.from(keys.privateKey) };
}

/**
 * Issues an enrolment certificate as Fabric CA would: OU for the identity type
 * and, when `role` is given, the `attrs` JSON extension Fabric's shim reads.
 */
export async function issueCertificate(
  ca: TestCa,
  cn: string,
  options: CertificateOptions = {},
): Promise<string> {
  return issueWithKeys(
    ca,
    cn,
    options,
    await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify']),
  );
}

async function issueWithKeys(
  ca: TestCa,
  cn: string,
  options: CertificateOptions,
  keys: webcrypto.CryptoKeyPair,
): Promise<string> {
  const extensions: x509.Extension[] = [];
  if (options.role !== undefined || options.powers !== undefined) {
    const attrs = {
      ...(options.role === undefined ? {} : { role: options.role }),
      ...(options.powers === undefined ? {} : { powers: options.powers }),
    };
    const value = new TextEncoder().encode(JSON.stringify({ attrs }));
    extensions.push(new x509.Extension(FABRIC_ATTRS_OID, false, value));
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: Buffer.from(cn).toString('hex').slice(0, 16).padStart(2, '0'),
    subject: `C=US, O=${ca.name}, OU=${options.ou ?? 'client'}, CN=${cn}`,
    issuer: ca.cert.subjectName,
    notBefore: new Date('2026-01-01T00:00:00Z'),
    notAfter: new Date('2030-01-01T00:00:00Z'),
    signingKey: ca.keys.privateKey,
    publicKey: keys.publicKey,
    signingAlgorithm: algorithm,
    extensions,
  });
  return cert.toString('pem');
}
