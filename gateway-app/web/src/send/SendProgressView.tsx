import { formatBytes } from '../records/format';
import type { ChosenFile } from './file-kind';
import { PHASE_TEXT, type SendProgress } from './send-files';

/** How far along the send is overall: encryption counts for the first half, the upload for the second. */
function overall(progress: SendProgress, plaintextBytes: number): number {
  const read = progress.fileBytes.reduce((n, b) => n + b, 0);
  const encrypted =
    progress.ciphertextBytes > 0
      ? progress.encryptedBytes / progress.ciphertextBytes
      : plaintextBytes > 0
        ? read / plaintextBytes
        : 0;
  const uploaded = progress.ciphertextBytes > 0 ? progress.uploadedBytes / progress.ciphertextBytes : 0;
  const afterUpload = progress.phase === 'replicating' || progress.phase === 'recording';
  return Math.min(1, (afterUpload ? 1 : encrypted) * 0.5 + (afterUpload ? 1 : uploaded) * 0.5);
}

/** The progress of a send: its current step, one bar per file (plaintext encrypted) and an overall bar. */
export function SendProgressView({
  files,
  progress,
  outcome,
}: {
  files: readonly ChosenFile[];
  progress: SendProgress;
  /** How the send ended, once it has. */
  outcome?: 'sent' | 'failed';
}) {
  const plaintextBytes = files.reduce((n, f) => n + f.file.size, 0);
  const fraction = outcome === 'sent' ? 1 : overall(progress, plaintextBytes);
  return (
    <section className="send-progress" aria-label="Send progress">
      <p className="phase">
        <span role="status" data-phase={outcome ?? progress.phase}>
          {outcome === 'sent'
            ? 'Sent and recorded on the ledger.'
            : outcome === 'failed'
              ? `Stopped at: ${PHASE_TEXT[progress.phase]}. See below why.`
              : `${PHASE_TEXT[progress.phase]}…`}
        </span>
        {!outcome && progress.phase === 'uploading' && progress.ciphertextBytes > 0 && (
          <span className="hint">
            {' '}
            {formatBytes(progress.uploadedBytes)} of {formatBytes(progress.ciphertextBytes)}
          </span>
        )}
      </p>
      <label htmlFor="send-overall">Overall progress</label>
      <progress id="send-overall" max={1000} value={Math.round(fraction * 1000)}>
        {Math.round(fraction * 100)}%
      </progress>
      <ul className="file-progress">
        {files.map((f, index) => {
          const done = progress.fileBytes[index] ?? 0;
          return (
            <li key={`${f.file.name}/${f.file.size}/${f.file.lastModified}`}>
              <label htmlFor={`send-file-${index}`} className="mono">
                {f.file.name} progress
              </label>
              <progress id={`send-file-${index}`} max={Math.max(1, f.file.size)} value={done}>
                {formatBytes(done)}
              </progress>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
