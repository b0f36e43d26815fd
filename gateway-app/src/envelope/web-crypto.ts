/**
 * A WebCrypto key (`CryptoKey`). Named through `crypto.subtle` because the gateway compiles without the DOM
 * library, where `CryptoKey` is declared; in a browser build it is the same type.
 */
export type WebCryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

/** A WebCrypto key pair (`CryptoKeyPair`). */
export interface WebCryptoKeyPair {
  readonly publicKey: WebCryptoKey;
  readonly privateKey: WebCryptoKey;
}
