/** Where an upload is, as the uploader reports it. */
export type UploadPhase = 'encrypting' | 'uploading' | 'replicating' | 'stored';

/** One report of the uploader: ciphertext bytes produced (encrypted) and sent so far. */
export interface UploadProgress {
  phase: UploadPhase;
  /** Ciphertext bytes read from the encryption stream so far. */
  encryptedBytes: number;
  /** Ciphertext bytes the browser has sent to the gateway so far. */
  uploadedBytes: number;
  /** The ciphertext's length. */
  totalBytes: number;
}

/** A value stream with many listeners: the uploader publishes, the page that started the send listens. */
export interface ProgressHub<T> {
  publish: (value: T) => void;
  /** Adds a listener; returns the function that removes it. */
  subscribe: (listener: (value: T) => void) => () => void;
}

/** A new hub with no listeners. */
export function createProgressHub<T>(): ProgressHub<T> {
  const listeners = new Set<(value: T) => void>();
  return {
    publish(value) {
      for (const listener of listeners) listener(value);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

/**
 * The uploads of this tab. The session's one {@link GatewayClient} gets its uploader once, at start, so
 * the page learns of an upload's progress here rather than through `sendRecord`'s arguments.
 */
export const uploadProgress: ProgressHub<UploadProgress> = createProgressHub<UploadProgress>();
