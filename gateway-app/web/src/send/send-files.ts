import { sendRecord, type DeviceAgent, type DeviceKeys, type Sent } from '../../../src/client/flows';
import type { GatewayClient } from '../../../src/client/api-client';
import { STUDY_MEDIA_TYPE, bundleSize, createBundleStream } from '../../../src/study';
import { countingStream } from './counting-stream';
import { labelOf } from './label-of';
import type { ChosenFile } from './file-kind';
import { uploadProgress, type UploadPhase } from './progress-hub';

/** The steps of a send, in order. */
export type SendPhase = 'checking' | 'encrypting' | 'uploading' | 'replicating' | 'recording';

/** What the page says during each step. */
export const PHASE_TEXT: Readonly<Record<SendPhase, string>> = {
  checking: 'Checking device',
  encrypting: 'Encrypting',
  uploading: 'Uploading ciphertext',
  replicating: 'Waiting for replication',
  recording: 'Recording on the ledger',
};

/** Where a send is. */
export interface SendProgress {
  phase: SendPhase;
  /** Plaintext bytes of each file read and encrypted so far. */
  fileBytes: readonly number[];
  /** Ciphertext bytes produced so far. */
  encryptedBytes: number;
  /** Ciphertext bytes sent so far. */
  uploadedBytes: number;
  /** The ciphertext's length, once the upload started; 0 before. */
  ciphertextBytes: number;
}

const PHASE_OF_UPLOAD: Readonly<Record<UploadPhase, SendPhase>> = {
  encrypting: 'encrypting',
  uploading: 'uploading',
  replicating: 'replicating',
  stored: 'recording',
};

/** Progress reports closer together than this are merged, so a large send does not re-render per chunk. */
const REPORT_INTERVAL_MS = 100;

/**
 * Sends files to one recipient as one record: a single file as itself, several as a study bundle (the
 * envelope's metadata says only how many files it holds: no name, nothing about the patient). Progress
 * comes from counting the plaintext as the encryption reads it and from the uploader's reports.
 */
export async function sendFiles(
  client: GatewayClient,
  keys: DeviceKeys,
  agent: DeviceAgent,
  recipientId: string,
  files: readonly ChosenFile[],
  onProgress: (progress: SendProgress) => void,
): Promise<Sent> {
  const state: SendProgress & { fileBytes: number[] } = {
    phase: 'checking',
    fileBytes: files.map(() => 0),
    encryptedBytes: 0,
    uploadedBytes: 0,
    ciphertextBytes: 0,
  };
  let lastReport = 0;
  const report = (force: boolean) => {
    const now = performance.now();
    if (!force && now - lastReport < REPORT_INTERVAL_MS) return;
    lastReport = now;
    onProgress({ ...state, fileBytes: [...state.fileBytes] });
  };
  report(true);
  const stop = uploadProgress.subscribe((p) => {
    const phase = PHASE_OF_UPLOAD[p.phase];
    const changed = phase !== state.phase;
    Object.assign(state, {
      phase,
      encryptedBytes: p.encryptedBytes,
      uploadedBytes: p.uploadedBytes,
      ciphertextBytes: p.totalBytes,
    });
    report(changed);
  });
  try {
    const label = await labelOf(files);
    const [only] = files;
    if (files.length === 1 && only) {
      return await sendRecord(client, keys, agent, {
        recipientId,
        label,
        plaintext: only.file.stream().pipeThrough(
          countingStream((n) => {
            state.fileBytes[0] = n;
            report(false);
          }),
        ),
        size: only.file.size,
        mediaType: only.mediaType,
      });
    }
    const entries = files.map(({ file, mediaType }) => ({
      name: file.name,
      size: file.size,
      mediaType,
      lastModified: file.lastModified,
      stream: () => file.stream(),
    }));
    return await sendRecord(client, keys, agent, {
      recipientId,
      label,
      plaintext: createBundleStream(entries, ({ fileIndex, fileBytes }) => {
        state.fileBytes[fileIndex] = fileBytes;
        report(false);
      }),
      size: bundleSize(entries),
      mediaType: STUDY_MEDIA_TYPE,
      metadata: { files: String(files.length) },
    });
  } finally {
    stop();
    report(true);
  }
}
