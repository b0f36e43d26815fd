/*
 * The gateway API's wire shapes: declared once, used by the server that
 * writes them (http/, fabric/offline-signing.ts), and by the CLI and the web
 * UI that read them (client/api-client.ts). Browser-safe: types only.
 */
import type { SigningStage } from '../client/signing-request';

/** A signed-in account as the gateway shows it (GET /api/me, the session, an operator's list). */
export interface AccountView {
  accountId: string;
  mspId: string;
  enrollmentId: string;
  role: string;
  status: string;
  userId: string | null;
  certificatePem: string | null;
  encryptionPublicKey: string | null;
  hasKeyBackup: boolean;
}

/** A directory entry: someone to send to (GET /api/directory). Their keys come from the ledger. */
export interface DirectoryEntry {
  userId: string;
  mspId: string;
  enrollmentId: string;
  role: string;
  /** The user's enrolment certificate: what lets a device check the name against the ledger's key. */
  certificatePem: string;
}

/** A stored ciphertext (POST /api/content). */
export interface UploadedContent {
  cid: string;
  size: number;
  contentHash: string;
}

/** A message the user's device must sign next (POST /api/transactions and its signatures). */
export interface SigningStep {
  id: string;
  txId: string;
  stage: SigningStage;
  /** base64 of the exact bytes to sign (ECDSA P-256 over their SHA-256). */
  message: string;
}

/** A finished call: the gateway's account of it, and for a read the peers' endorsed answers. */
export interface SignedResult {
  stage: 'done';
  id: string;
  fn: string;
  txId: string;
  /** The chaincode's answer, as UTF-8 text: the gateway's word, checked by the device against the proofs. */
  result: string;
  /** Set for committed transactions. */
  blockNumber?: string;
  /**
   * For a read: base64 of endorsed transaction payloads (common.Payload),
   * never submitted; one for all endorsers of a chaincode read, one per
   * organisation for a system chaincode's (a block's metadata differs from
   * peer to peer). The device verifies the peers' signatures in them and
   * believes nothing else of this answer.
   */
  proofs?: string[];
}

/** The next message to sign, or the finished call. */
export type SigningAnswer = SigningStep | SignedResult;
