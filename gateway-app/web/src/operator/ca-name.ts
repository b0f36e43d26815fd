import { ApiError } from '../../../src/client/api-client';
import { X509Certificate } from '../../../src/x509';

/**
 * The Fabric CA name an operator's registrations are addressed to, as the CLI
 * derives it (`caNameOf` in cli/medshare/operator.ts): this consortium's CAs
 * are named like the first label of their certificate's common name, so the
 * issuer of the operator's certificate names it (`ca-hospital-a.medshare` is
 * CA `ca-hospital-a`).
 */
export function caNameOf(certificatePem: string): string {
  let cn: string | undefined;
  try {
    cn = new X509Certificate(certificatePem).issuerName.getField('CN')[0];
  } catch {
    throw new ApiError(0, 'CERTIFICATE_UNREADABLE', 'your certificate in this browser cannot be read');
  }
  const name = cn?.split('.')[0];
  if (!name) throw new ApiError(0, 'CA_NAME_UNKNOWN', 'your certificate does not name its CA');
  return name;
}
