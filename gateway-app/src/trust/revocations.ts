import * as x509 from '../x509';

/** One organisation's certificate revocation lists and the CA roots that must have signed them (PEM). */
export interface OrganisationCrls {
  mspId: string;
  rootCertificates: readonly string[];
  crls: readonly string[];
}

/** A CRL that was left out, and why: it is not signed by one of its organisation's roots, or does not parse. */
export interface IgnoredCrl {
  mspId: string;
  reason: string;
}

/** Serial numbers compare without leading zeros and in one case, as CAs and parsers write them differently. */
function serialKey(issuer: string, serialHex: string): string {
  return `${issuer}\n${serialHex.toLowerCase().replace(/^0+(?=.)/, '')}`;
}

/**
 * The certificates organisations' CAs have revoked, from CRLs each checked
 * against its organisation's CA roots: a CRL nobody's CA signed revokes
 * nothing, so whoever relays the lists can hold one back but cannot make one
 * up. Browser and Node alike (WebCrypto).
 */
export class RevocationList {
  readonly #revoked: ReadonlySet<string>;
  /** CRLs left out. */
  readonly ignored: readonly IgnoredCrl[];
  /** How many certificates the accepted CRLs revoke. */
  readonly size: number;

  private constructor(revoked: Set<string>, ignored: IgnoredCrl[]) {
    this.#revoked = revoked;
    this.ignored = ignored;
    this.size = revoked.size;
  }

  /** A list that revokes nothing. */
  static empty(): RevocationList {
    return new RevocationList(new Set(), []);
  }

  /** Reads and checks the CRLs of every organisation. */
  static async of(organisations: readonly OrganisationCrls[]): Promise<RevocationList> {
    const revoked = new Set<string>();
    const ignored: IgnoredCrl[] = [];
    for (const org of organisations) {
      const roots = org.rootCertificates.flatMap((pem) => {
        try {
          return [new x509.X509Certificate(pem)];
        } catch {
          return [];
        }
      });
      for (const pem of org.crls) {
        let crl: x509.X509Crl;
        try {
          crl = new x509.X509Crl(pem);
        } catch {
          ignored.push({ mspId: org.mspId, reason: 'the CRL does not parse' });
          continue;
        }
        const signer = roots.find((root) => root.subject === crl.issuer);
        if (!signer || !(await crl.verify({ publicKey: signer.publicKey }, crypto).catch(() => false))) {
          ignored.push({
            mspId: org.mspId,
            reason: `the CRL of ${crl.issuer} is not signed by a root of ${org.mspId}`,
          });
          continue;
        }
        for (const entry of crl.entries) revoked.add(serialKey(crl.issuer, entry.serialNumber));
      }
    }
    return new RevocationList(revoked, ignored);
  }

  /** Whether the CA that issued `certificate` has revoked it. A certificate that does not parse counts as revoked. */
  isRevoked(certificate: string | x509.X509Certificate): boolean {
    let parsed: x509.X509Certificate;
    try {
      parsed = typeof certificate === 'string' ? new x509.X509Certificate(certificate) : certificate;
    } catch {
      return true;
    }
    return this.#revoked.has(serialKey(parsed.issuer, parsed.serialNumber));
  }
}
