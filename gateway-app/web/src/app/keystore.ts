import type { EncryptionKeyPair } from '../../../src/envelope';
import type { TrustBundle } from '../../../src/trust/bundle';

/**
 * What this browser keeps of a user's device identity, in IndexedDB: the two
 * private keys as non-extractable CryptoKeys (the page can use them but no
 * script can read them out), the certificate and the ledger user id.
 */
export interface StoredIdentity {
  /** `mspId/enrollmentId`. */
  account: string;
  mspId: string;
  userId: string;
  certificatePem: string;
  signingKey: CryptoKey;
  encryption: EncryptionKeyPair;
  /**
   * The consortium's trust anchors this browser pinned: at enrolment against the
   * invitation's trust code, or from an operator's key file. Proposals are signed
   * only for its channel and chaincode; an operator's invitations carry its code.
   */
  trustBundle?: TrustBundle;
  savedAt: string;
}

const DB_NAME = 'medshare';
const STORE = 'identities';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE, { keyPath: 'account' });
    };
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB is not available'));
    };
  });
}

async function run<T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = action(tx.objectStore(STORE));
      tx.oncomplete = () => {
        resolve(request.result as T);
      };
      tx.onerror = () => {
        reject(tx.error ?? new Error('IndexedDB transaction failed'));
      };
    });
  } finally {
    db.close();
  }
}

/** The account key of a login. */
export const accountKey = (mspId: string, enrollmentId: string): string => `${mspId}/${enrollmentId}`;

/** Keeps an identity; its CryptoKeys must already be non-extractable. */
export async function saveIdentity(identity: StoredIdentity): Promise<void> {
  await run('readwrite', (store) => store.put(identity));
}

/** The identity this browser holds for an account, if any. */
export async function loadIdentity(account: string): Promise<StoredIdentity | undefined> {
  return run<StoredIdentity | undefined>('readonly', (store) => store.get(account));
}

/** Forgets an account's keys in this browser. */
export async function forgetIdentity(account: string): Promise<void> {
  await run('readwrite', (store) => store.delete(account));
}
