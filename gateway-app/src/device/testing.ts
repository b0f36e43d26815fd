// Helpers for this module's tests: a test CA issuing Fabric-style device certificates, and fixture
// readers for posture collection. Not exported by index.ts.
import { KeyObject, webcrypto } from 'node:crypto';
import { FABRIC_ATTRIBUTES_OID, deviceIdOf } from './certificate';
import type { PostureFacts } from './facts';
import type { ExecResult, PostureReaders } from './posture';
import * as x509 from '../x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;

/** A test certificate authority standing in for an organisation's Fabric CA. */
export interface TestCa {
  name: string;
  certificatePem: string;
  certificate: x509.X509Certificate;
  keys: webcrypto.CryptoKeyPair;
}

/** Validity of a test certificate (default: from a day ago to a year ahead). */
export interface Validity {
  notBefore?: Date;
  notAfter?: Date;
}

/** Creates a self-signed P-256 CA. */
export async function createTestCa(name = 'HospitalA', validity: Validity = {}): Promise<TestCa> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: '01',
    name: `C=US, O=${name}, CN=ca.${name}`,
    notBefore: validity.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: validity.notAfter ?? new Date(Date.now() + 3650 * DAY_MS),
    keys,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { name, certificatePem: certificate.toString('pem'), certificate, keys };
}

/** A device certificate and its private key. */
export interface TestDevice {
  certificatePem: string;
  privateKey: KeyObject;
  deviceId: string;
}

/** Options of {@link issueDeviceCertificate}. */
export interface IssueOptions extends Validity {
  /** Common name, and `hf.EnrollmentID` (default `dev1`). */
  cn?: string;
  /** Fabric attributes; `null` leaves the extension out (default role=device as Fabric CA writes it). */
  attrs?: Record<string, string> | null;
  /** The organisational unit NodeOUs classify by (default `client`; a peer's is `peer`). */
  ou?: string;
}

/** The attribute extension Fabric CA writes: the JSON itself is the extension's value. */
function fabricAttributes(attrs: Record<string, string>): x509.Extension {
  return new x509.Extension(
    FABRIC_ATTRIBUTES_OID,
    false,
    new TextEncoder().encode(JSON.stringify({ attrs })),
  );
}

async function issue(
  ca: TestCa,
  cn: string,
  publicKey: webcrypto.CryptoKey,
  options: IssueOptions,
): Promise<string> {
  const attrs =
    options.attrs === undefined
      ? { role: 'device', 'hf.EnrollmentID': cn, 'hf.Type': 'client' }
      : options.attrs;
  const certificate = await x509.X509CertificateGenerator.create({
    subject: `C=US, O=${ca.name}, OU=${options.ou ?? 'client'}, CN=${cn}`,
    issuer: ca.certificate.subject,
    notBefore: options.notBefore ?? new Date(Date.now() - DAY_MS),
    notAfter: options.notAfter ?? new Date(Date.now() + 365 * DAY_MS),
    signingKey: ca.keys.privateKey,
    publicKey,
    signingAlgorithm: ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey),
      ...(attrs ? [fabricAttributes(attrs)] : []),
    ],
  });
  return certificate.toString('pem');
}

/** Generates a device key pair and issues its certificate from `ca`. */
export async function issueDeviceCertificate(ca: TestCa, options: IssueOptions = {}): Promise<TestDevice> {
  const keys = await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify']);
  const certificatePem = await issue(ca, options.cn ?? 'dev1', keys.publicKey, options);
  return {
    certificatePem,
    privateKey: KeyObject.from(keys.privateKey),
    deviceId: deviceIdOf(certificatePem),
  };
}

/** Issues a certificate for the key and common name of a PKCS#10 request, as Fabric CA would. */
export async function issueFromCsr(ca: TestCa, csrPem: string, options: IssueOptions = {}): Promise<string> {
  const csr = new x509.Pkcs10CertificateRequest(csrPem);
  if (!(await csr.verify())) throw new Error('the CSR signature does not verify');
  const cn = csr.subjectName.getField('CN')[0] ?? 'unknown';
  const publicKey = await webcrypto.subtle.importKey('spki', csr.publicKey.rawData, ALGORITHM, true, [
    'verify',
  ]);
  return issue(ca, options.cn ?? cn, publicKey, options);
}

/** A machine described by its files, for {@link fixtureReaders}. */
export interface PostureFixture {
  platform?: string;
  kernel?: string;
  arch?: string;
  env?: Record<string, string>;
  now?: Date;
  /** File contents by absolute path. */
  files?: Record<string, string>;
  /** Modification times by absolute path (the file need not have contents). */
  mtimes?: Record<string, Date>;
  /** Symbolic links: path → the path it resolves to. */
  links?: Record<string, string>;
  /** Directories that exist even if empty. */
  dirs?: string[];
  /** Executables by absolute path, answering for their arguments (`null`: cannot run). */
  executables?: Record<string, (args: readonly string[]) => ExecResult | null>;
}

/** Posture readers over a described machine instead of the real one. */
export function fixtureReaders(fixture: PostureFixture): PostureReaders {
  const files = fixture.files ?? {};
  const mtimes = fixture.mtimes ?? {};
  const links = fixture.links ?? {};
  const executables = fixture.executables ?? {};
  const paths = [
    ...Object.keys(files),
    ...Object.keys(mtimes),
    ...Object.keys(links),
    ...(fixture.dirs ?? []),
  ];
  const children = (dir: string): string[] | null => {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = new Set<string>();
    for (const path of paths) {
      if (path.startsWith(prefix)) names.add(path.slice(prefix.length).split('/')[0] ?? '');
    }
    names.delete('');
    return names.size > 0 || (fixture.dirs ?? []).includes(dir) ? [...names].sort() : null;
  };
  const exists = (path: string) =>
    path in files || path in mtimes || path in executables || children(path) !== null;
  return {
    platform: fixture.platform ?? 'linux',
    kernelRelease: () => fixture.kernel ?? '6.1.0-18-amd64',
    arch: () => fixture.arch ?? 'x64',
    env: fixture.env ?? {},
    now: () => fixture.now ?? new Date(),
    readText: (path) => Promise.resolve(files[path] ?? null),
    modifiedAt: (path) => Promise.resolve(mtimes[path] ?? null),
    realPath: (path) => Promise.resolve(links[path] ?? (exists(path) ? path : null)),
    listDir: (path) => Promise.resolve(children(path)),
    isExecutable: (path) => Promise.resolve(path in executables),
    run: (file, args) => Promise.resolve(executables[file]?.(args) ?? null),
  };
}

/** Facts of a well-kept Debian workstation, for tests of what happens to facts after collection. */
export function sampleFacts(overrides: Partial<PostureFacts> = {}): PostureFacts {
  return {
    platform: 'linux',
    os: { value: { id: 'debian', name: 'Debian GNU/Linux', version: '12' }, source: '/etc/os-release' },
    kernel: { value: '6.1.0-18-amd64', source: 'os.release()' },
    arch: { value: 'x64', source: 'os.arch()' },
    lastSecurityUpdate: {
      value: { at: new Date(Date.now() - 2 * DAY_MS).toISOString(), ageDays: 2 },
      source: 'mtime of /var/log/dpkg.log (newest of 3 package-manager records)',
    },
    diskEncryption: {
      value: true,
      source: '/ (ext4) on dm-0: dm-crypt in its device stack (/sys/class/block)',
    },
    firewall: { value: true, source: '/etc/ufw/ufw.conf: ENABLED=yes' },
    screenLock: { value: true, source: 'gsettings org.gnome.desktop.screensaver lock-enabled' },
    ...overrides,
  };
}

/** A CRL of `ca` revoking the certificates with `serials` (hex), as Fabric CA's gencrl writes one (PEM). */
export async function issueCrl(ca: TestCa, serials: readonly string[]): Promise<string> {
  const crl = await x509.X509CrlGenerator.create({
    issuer: ca.certificate.subject,
    thisUpdate: new Date(Date.now() - 60_000),
    nextUpdate: new Date(Date.now() + DAY_MS),
    entries: serials.map((serialNumber) => ({ serialNumber, revocationDate: new Date(Date.now() - 60_000) })),
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ALGORITHM,
  });
  return crl.toString('pem');
}

/** The serial number (hex) of a PEM certificate. */
export function serialOf(certificatePem: string): string {
  return new x509.X509Certificate(certificatePem).serialNumber;
}
