import * as x509 from './x509';

/** The X.509 extension in which Fabric CA puts an identity's attributes, as JSON `{"attrs": {...}}`. */
export const FABRIC_ATTRIBUTES_OID = '1.2.3.4.5.6.7.8.1';

/**
 * The Fabric attributes of a certificate (`role`, `hf.EnrollmentID`, `hf.Type`, ...), or `null` when it
 * has no readable attribute extension. Only string values are kept. WebCrypto-free parsing, so the
 * browser (the device's certificate checks) and the gateway read them alike.
 */
export function fabricAttributesOf(
  certificate: string | x509.X509Certificate,
): Readonly<Record<string, string>> | null {
  let raw: unknown;
  try {
    const parsed = typeof certificate === 'string' ? new x509.X509Certificate(certificate) : certificate;
    const extension = parsed.getExtension(FABRIC_ATTRIBUTES_OID);
    if (!extension) return null;
    raw = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(extension.value));
  } catch {
    return null;
  }
  if (typeof raw !== 'object' || raw === null || !('attrs' in raw)) return null;
  const attrs: unknown = raw.attrs;
  if (typeof attrs !== 'object' || attrs === null) return null;
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(attrs)) {
    if (typeof value === 'string') out[name] = value;
  }
  return out;
}

/**
 * The admin or gateway role a certificate holds with its powers: `role` and
 * the `powers` attribute agree, as only the CA's bootstrap registrar can issue
 * them (an organisation admin, a registrar for `role` alone, cannot). The
 * chaincode reads certificates the same way; this is the gateway's and the
 * device's early check.
 */
export function privilegedRoleOf(
  certificate: string | x509.X509Certificate,
): 'admin' | 'gateway' | undefined {
  const attrs = fabricAttributesOf(certificate);
  const role = attrs?.role;
  return (role === 'admin' || role === 'gateway') && attrs?.powers === role ? role : undefined;
}
