import { execFile } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { impersonateCa, issueIdentity } from 'medshare-chaincode/dist/testing/certificates';
import type { Binaries, IdentityFiles, OrgPlan } from 'medshare-network';
import { registrarEnv } from 'medshare-network/dist/env';

const run = promisify(execFile);

/**
 * Enrols user `name` of `org` a second time, as the organisation's registrar
 * can without the user: a new enrolment secret, then a new key pair and
 * certificate from the organisation's CA, with the same subject and issuer
 * (hence the same ledger id). The TLS client files stay the user's.
 */
export async function reenrol(
  org: OrgPlan,
  bin: Binaries,
  name: string,
  user: IdentityFiles,
): Promise<IdentityFiles> {
  const env = registrarEnv(org, bin);
  const client = join(env.FABRIC_CA_BIN ?? '', 'fabric-ca-client');
  const ca = ['-u', org.ca.url, '--caname', org.ca.name, '--tls.certfiles', org.caCertFile];
  const secret = `again-${String(Date.now())}`;
  await run(client, [
    'identity',
    'modify',
    name,
    '--secret',
    secret,
    '--home',
    env.REGISTRAR_HOME ?? '',
    ...ca,
  ]);
  return enrolWithSecret(client, org, name, secret, join(org.dir, 'users', `${name}.reenrolled`), user);
}

/** Enrols `name` with its enrolment `secret` into `dir`, with `user`'s TLS client files; the key as `key.pem`. */
async function enrolWithSecret(
  client: string,
  org: OrgPlan,
  name: string,
  secret: string,
  dir: string,
  user: IdentityFiles,
): Promise<IdentityFiles> {
  const msp = join(dir, 'msp');
  await run(client, [
    'enroll',
    '--home',
    dir,
    '--mspdir',
    msp,
    '--csr.cn',
    name,
    '--caname',
    org.ca.name,
    '--tls.certfiles',
    org.caCertFile,
    '-u',
    `https://${name}:${secret}@${new URL(org.ca.url).host}`,
  ]);
  const [key] = await readdir(join(msp, 'keystore'));
  if (key === undefined) throw new Error(`no key in ${msp}/keystore`);
  await rename(join(msp, 'keystore', key), join(msp, 'keystore', 'key.pem'));
  return { dir, msp, signCert: join(msp, 'signcerts', 'cert.pem'), tls: user.tls };
}

/** Writes `certificate` and `privateKey` as an MSP directory under `dir`, with `tls`'s client files. */
async function writeIdentity(
  dir: string,
  certificate: string,
  privateKey: KeyObject,
  tls: IdentityFiles['tls'],
): Promise<IdentityFiles> {
  const msp = join(dir, 'msp');
  await mkdir(join(msp, 'signcerts'), { recursive: true });
  await mkdir(join(msp, 'keystore'), { recursive: true });
  const signCert = join(msp, 'signcerts', 'cert.pem');
  await writeFile(signCert, certificate);
  await writeFile(join(msp, 'keystore', 'key.pem'), privateKey.export({ type: 'pkcs8', format: 'pem' }), {
    mode: 0o600,
  });
  return { dir, msp, signCert, tls };
}

/**
 * Identities a forger makes, naming the CA of `org` (whose certificate `user`'s
 * MSP holds): `ca`, a self-signed certificate with the CA's subject and a key
 * of the forger's, and `doctor`, a role=doctor client certificate issued by
 * it. Both with `user`'s TLS client files, so the gateway lets them connect.
 */
export async function forgedIdentities(
  org: OrgPlan,
  user: IdentityFiles,
): Promise<{ ca: IdentityFiles; doctor: IdentityFiles }> {
  const forged = await impersonateCa(await readFile(join(user.msp, 'cacerts', 'ca.pem'), 'utf8'));
  const doctor = await issueIdentity(forged, 'u-forged-doctor', { role: 'doctor' });
  const dir = join(org.dir, 'users', 'forged');
  return {
    ca: await writeIdentity(
      join(dir, 'ca'),
      forged.cert.toString('pem'),
      KeyObject.from(forged.keys.privateKey),
      user.tls,
    ),
    doctor: await writeIdentity(join(dir, 'doctor'), doctor.pem, doctor.privateKey, user.tls),
  };
}

/** What the CA answered an organisation admin's own registration. */
export type AdminRegistration = { refused: string } | { files: IdentityFiles };

/**
 * The organisation's admin, a CA registrar (`hf.Registrar.Attributes=role`,
 * `hf.Registrar.Roles=client`), registers `name` of identity `type` with
 * `attrs` (fabric-ca-client's `--id.attrs`) straight at the CA, bypassing the
 * gateway; when the CA accepts, the identity is enrolled with `user`'s TLS
 * client files. What a curious admin can mint by itself.
 */
export async function registerAsOrgAdmin(
  org: OrgPlan,
  bin: Binaries,
  admin: IdentityFiles,
  user: IdentityFiles,
  request: { name: string; attrs: string; type?: 'client' | 'admin' },
): Promise<AdminRegistration> {
  const client = join(registrarEnv(org, bin).FABRIC_CA_BIN ?? '', 'fabric-ca-client');
  const ca = ['-u', org.ca.url, '--caname', org.ca.name, '--tls.certfiles', org.caCertFile];
  const secret = `minted-${String(Date.now())}`;
  try {
    await run(client, [
      'register',
      '--home',
      admin.dir,
      '--mspdir',
      admin.msp,
      ...ca,
      '--id.name',
      request.name,
      '--id.secret',
      secret,
      '--id.type',
      request.type ?? 'client',
      '--id.attrs',
      request.attrs,
    ]);
  } catch (error) {
    return { refused: (error as { stderr?: string }).stderr ?? String(error) };
  }
  return {
    files: await enrolWithSecret(
      client,
      org,
      request.name,
      secret,
      join(org.dir, 'users', request.name),
      user,
    ),
  };
}
