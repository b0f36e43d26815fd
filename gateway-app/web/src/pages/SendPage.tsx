import { useState } from 'react';
import type { Sent } from '../../../src/client/flows';
import { Refusal } from '../app/refusal';
import type { Route } from '../app/router';
import { useSignedIn } from '../app/session';
import { entryLabel, useDirectory } from '../app/directory';
import { rememberMediaType } from '../records/media-types';
import { STUDY_MEDIA_TYPE } from '../../../src/study';
import type { ChosenFile } from '../send/file-kind';
import { deidentifyFiles } from '../send/deidentify-files';
import { DeidentifyOption } from '../send/DeidentifyOption';
import { FilePicker } from '../send/FilePicker';
import { RecipientKey } from '../send/RecipientKey';
import { RecipientPicker } from '../send/RecipientPicker';
import { sendFiles, type SendProgress } from '../send/send-files';
import { SendProgressView } from '../send/SendProgressView';
import { SendResult } from '../send/SendResult';
import '../send/send.css';

/** #/send: choose a recipient and files; they are encrypted here and the transfer recorded on the ledger. */
export function SendPage({ route }: { route: Route }) {
  const { client, keys, agent, account } = useSignedIn();
  const { directory, error: directoryError } = useDirectory(client, keys);
  const [recipientId, setRecipientId] = useState(route.params.get('to') ?? '');
  const [files, setFiles] = useState<ChosenFile[]>([]);
  const [deidentify, setDeidentify] = useState(false);
  const [sending, setSending] = useState<{ files: ChosenFile[]; progress: SendProgress } | null>(null);
  const [result, setResult] = useState<{ sent: Sent; recipient: string } | null>(null);
  const [error, setError] = useState<unknown>(null);

  const [busy, setBusy] = useState(false);
  const recipient = directory?.get(recipientId);
  const canSend = !busy && recipient !== undefined && files.length > 0;

  const send = async () => {
    if (!recipient) return;
    setBusy(true);
    setError(null);
    setResult(null);
    setSending(null);
    try {
      // De-identified before anything is encrypted; a file that cannot be stops the send here.
      const chosen = deidentify ? await deidentifyFiles(files) : files;
      setSending({
        files: chosen,
        progress: {
          phase: 'checking',
          fileBytes: [],
          encryptedBytes: 0,
          uploadedBytes: 0,
          ciphertextBytes: 0,
        },
      });
      const sent = await sendFiles(client, keys, agent, recipient.userId, chosen, (progress) => {
        setSending({ files: chosen, progress });
      });
      const only = chosen.length === 1 ? chosen[0] : undefined;
      rememberMediaType(keys.userId, sent.recordId, only ? only.mediaType : STUDY_MEDIA_TYPE);
      setResult({ sent, recipient: entryLabel(recipient) });
      setFiles([]);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Send records</h1>
      <p className="hint">
        Signed in as {account.enrollmentId}. Files are encrypted on this device for the recipient’s key; the
        gateway and the storage network only ever see ciphertext, and the ledger records the transfer.
      </p>
      <div className="grid-2">
        <section>
          <h2>1. Who receives it</h2>
          {directoryError !== undefined && <Refusal error={directoryError} />}
          <RecipientPicker
            entries={directory ? [...directory.values()] : undefined}
            selfId={keys.userId}
            value={recipientId}
            onChange={setRecipientId}
            disabled={busy}
          />
          {recipientId && <RecipientKey client={client} keys={keys} userId={recipientId} />}
        </section>
        <section>
          <h2>2. What to send</h2>
          <FilePicker files={files} onChange={setFiles} disabled={busy} />
          <DeidentifyOption checked={deidentify} onChange={setDeidentify} disabled={busy} />
        </section>
      </div>
      <div className="actions">
        <button type="button" disabled={!canSend} onClick={() => void send()}>
          Encrypt and send
        </button>
        {!canSend && !busy && (
          <span className="hint">
            {recipient ? 'Choose at least one file.' : 'Choose a recipient and at least one file.'}
          </span>
        )}
      </div>
      {sending && (
        <SendProgressView
          files={sending.files}
          progress={sending.progress}
          {...(result ? { outcome: 'sent' as const } : error !== null ? { outcome: 'failed' as const } : {})}
        />
      )}
      <Refusal error={error} />
      {result && <SendResult sent={result.sent} recipient={result.recipient} />}
    </>
  );
}
