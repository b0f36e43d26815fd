import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Contract } from '@hyperledger/fabric-gateway';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import type { IdentityFiles } from 'medshare-network';
import { encryptionKey, selfRegistration } from '../support/chaincode';

/** The private key of an enrolled identity, from its MSP keystore. */
export async function signingKeyOf(files: IdentityFiles): Promise<KeyObject> {
  return createPrivateKey(await readFile(join(files.msp, 'keystore', 'key.pem')));
}

/** An enrolled user of organisation `mspId` as their device holds them: what binds their keys. */
export interface KeyOwner {
  userId: string;
  mspId: string;
  certificatePem: string;
  /** The key that signs the bindings: the certificate's, unless a test swaps it. */
  key: KeyObject;
}

/** The ledger id, certificate and signing key of `files`, enrolled in `mspId`. */
export async function keyOwner(mspId: string, files: IdentityFiles): Promise<KeyOwner> {
  const certificatePem = await readFile(files.signCert, 'utf8');
  const { userId } = identityOfCertificate(mspId, certificatePem);
  return { userId, mspId, certificatePem, key: await signingKeyOf(files) };
}

/** The encryption key `spki` and `owner`'s binding of it at `version`: the arguments of RegisterSelf and RotateEncryptionKey. */
export function boundKey(owner: KeyOwner, spki: string, version: number): [string, string] {
  return selfRegistration(owner.mspId, owner.certificatePem, owner.key, spki, version);
}

/**
 * `owner` registers themselves through `registry` (connected as them):
 * registry:RegisterSelf with encryption key `spki` and their binding of it
 * (version 1). Returns the user's ledger id.
 */
export async function registerSelf(
  registry: Contract,
  owner: KeyOwner,
  spki = encryptionKey(),
): Promise<string> {
  await registry.submitTransaction('RegisterSelf', ...boundKey(owner, spki, 1));
  return owner.userId;
}
