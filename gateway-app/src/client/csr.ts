import * as x509 from '../x509';
import type { WebCryptoKeyPair } from '../envelope';

type CsrParams = Parameters<typeof x509.Pkcs10CertificateRequestGenerator.create>[0];

/**
 * A PKCS#10 certificate signing request for the device's own key, in PEM. The
 * Fabric CA takes the subject from the registration, so only the common name
 * (the enrolment id) is set; the private key never leaves the device.
 */
export async function createCsr(keys: WebCryptoKeyPair, enrollmentId: string): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create(
    {
      name: [{ CN: [enrollmentId] }],
      // x509 types the pair with the DOM library's CryptoKeyPair, which the gateway compiles without.
      // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment
      keys: keys as CsrParams['keys'],
      signingAlgorithm: { name: 'ECDSA', hash: 'SHA-256' },
    },
    crypto,
  );
  return csr.toString('pem');
}

/** The base64 SPKI of a certificate's public key, to compare with the key the device generated. */
export function certificatePublicKeySpki(certificatePem: string): string {
  const certificate = new x509.X509Certificate(certificatePem);
  return x509.PemConverter.encode(certificate.publicKey.rawData, 'PUBLIC KEY')
    .replace(/-----[^-]+-----/g, '')
    .replace(/\s+/g, '');
}
