// No imports: devices (browsers included) sign and check the same text the chaincode verifies.

/** What a key binding states: this encryption key, at this version, is the one of this user. */
export interface KeyBindingStatement {
  userId: string;
  mspId: string;
  /** The encryption key, base64 SPKI DER. */
  spki: string;
  /** SHA-256 of the SPKI DER, lower-case hex. */
  fingerprint: string;
  /** 1 for the key registered first, one more at each rotation. */
  version: number;
}

/**
 * The text a user signs (UTF-8, ECDSA P-256 over SHA-256, IEEE P1363) with
 * the key of the certificate they registered with, to bind an encryption key
 * to their ledger id: one field per line, none of which can hold a line break.
 */
export function keyBindingText(s: KeyBindingStatement): string {
  return `medshare/key-binding/v1\n${s.userId}\n${s.mspId}\n${s.spki}\n${s.fingerprint}\n${String(s.version)}`;
}
