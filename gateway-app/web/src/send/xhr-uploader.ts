import { ApiError, type Uploader } from '../../../src/client/api-client';
import { uploadProgress, type ProgressHub, type UploadProgress } from './progress-hub';

/** Headers the browser sets itself and refuses from scripts. */
const BROWSER_HEADERS = new Set(['cookie', 'content-length', 'host', 'connection']);

/**
 * An {@link Uploader} for browsers, which cannot stream a fetch request body over HTTP/1.1: it reads the
 * ciphertext as the device encrypts it into Blob parts (so reading paces and measures the encryption),
 * then sends the Blob with XMLHttpRequest, whose upload events measure the upload. The session cookie
 * goes with it as with any same-origin request; the other headers (the CSRF token) are set as given.
 * Progress goes to `hub`.
 */
export function xhrUploader(hub: ProgressHub<UploadProgress> = uploadProgress): Uploader {
  return async (url, headers, body, length) => {
    const report = (phase: UploadProgress['phase'], encryptedBytes: number, uploadedBytes: number) => {
      hub.publish({ phase, encryptedBytes, uploadedBytes, totalBytes: length });
    };
    const parts: BlobPart[] = [];
    let encrypted = 0;
    report('encrypting', 0, 0);
    const reader = body.getReader();
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value as Uint8Array<ArrayBuffer>);
        encrypted += value.length;
        report('encrypting', encrypted, 0);
      }
    } finally {
      reader.releaseLock();
    }
    if (encrypted !== length) {
      throw new ApiError(
        500,
        'UPLOAD_LENGTH_MISMATCH',
        `the encrypted content is ${encrypted} bytes, not the ${length} announced`,
      );
    }
    const blob = new Blob(parts, { type: 'application/octet-stream' });
    parts.length = 0;
    report('uploading', encrypted, 0);
    const answer = await send(url, headers, blob, {
      onUpload: (loaded) => {
        report('uploading', encrypted, loaded);
      },
      onSent: () => {
        report('replicating', encrypted, length);
      },
    });
    if (answer.status >= 200 && answer.status < 300) report('stored', encrypted, length);
    return answer;
  };
}

function send(
  url: string,
  headers: Record<string, string>,
  blob: Blob,
  events: { onUpload(loaded: number): void; onSent(): void },
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    for (const [name, value] of Object.entries(headers)) {
      if (!BROWSER_HEADERS.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    }
    xhr.upload.onprogress = (event) => {
      events.onUpload(event.loaded);
    };
    // The body is sent; the gateway answers once the cluster has replicated it.
    xhr.upload.onload = () => {
      events.onSent();
    };
    xhr.onload = () => {
      resolve({ status: xhr.status, text: xhr.responseText });
    };
    xhr.onerror = () => {
      reject(new ApiError(503, 'UPLOAD_FAILED', 'the upload of the encrypted content was interrupted'));
    };
    xhr.onabort = () => {
      reject(new ApiError(503, 'UPLOAD_FAILED', 'the upload of the encrypted content was aborted'));
    };
    xhr.send(blob);
  });
}
