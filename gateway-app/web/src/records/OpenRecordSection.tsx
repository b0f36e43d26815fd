import { useId, useState } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { openRecord, type DeviceAgent, type DeviceKeys, type Opened } from '../../../src/client/flows';
import { Refusal } from '../app/refusal';
import { href } from '../app/router';
import type { Directory } from '../app/directory';
import { formatWhen } from './format';
import { rememberMediaType } from './media-types';
import { EMERGENCY_PURPOSE, purposeLabel } from './purposes';
import { PurposeField } from './PurposeField';
import { openingState, type RecordContext } from './record-context';
import { RecordContentView } from './RecordContentView';
import { SenderVerified } from './SenderVerified';
import { useRecordContent } from './use-record-content';

/** Why an emergency opening cannot proceed yet, found before anything is recorded on the ledger. */
type EmergencyHold = 'none' | 'ended' | 'awaiting-key';

/**
 * Opens a record for a purpose: device check, the access recorded on the ledger (a refusal too), the
 * sender's signature checked, and the content downloaded and decrypted here, shown as it arrives.
 */
export function OpenRecordSection({
  client,
  keys,
  agent,
  recordId,
  purposes,
  initialPurpose,
  directory,
  refreshContext,
  onOpened,
}: {
  client: GatewayClient;
  keys: DeviceKeys;
  agent: DeviceAgent;
  recordId: string;
  purposes: readonly string[];
  initialPurpose: string;
  directory: Directory | undefined;
  /** Re-reads the user's break-glass opening from the ledger, for an emergency opening. */
  refreshContext: () => Promise<RecordContext>;
  onOpened: () => void;
}) {
  const id = useId();
  const [purpose, setPurpose] = useState(initialPurpose);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [hold, setHold] = useState<{ state: EmergencyHold; expiresAt?: string } | null>(null);
  const [opened, setOpened] = useState<Opened | null>(null);
  const { content, show } = useRecordContent();
  const chosen = purposes.includes(purpose) ? purpose : (purposes[0] ?? '');

  const open = async () => {
    setBusy(true);
    setError(null);
    setHold(null);
    try {
      // An emergency opening reads the copy of the key the emergency service released to this doctor:
      // check it is there first, rather than record an access that cannot be read.
      if (chosen === EMERGENCY_PURPOSE) {
        const { opening } = await refreshContext();
        const state = openingState(opening, Date.now());
        if (state !== 'released') {
          setHold({ state, ...(opening ? { expiresAt: opening.expiresAt } : {}) });
          return;
        }
      }
      const result = await openRecord(client, keys, agent, recordId, chosen);
      rememberMediaType(keys.userId, recordId, result.envelope.mediaType);
      setOpened(result);
      show(result.plaintext, result.envelope.mediaType);
      onOpened();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <section aria-labelledby={`${id}-h`}>
        <h2 id={`${id}-h`}>Open and view</h2>
        {purposes.length > 1 ? (
          <PurposeField purposes={purposes} value={chosen} disabled={busy} onChange={setPurpose} />
        ) : (
          <p>
            Purpose: <strong>{purposeLabel(chosen)}</strong>
          </p>
        )}
        <p className="hint">
          Opening records your access and its purpose on the ledger
          {chosen === EMERGENCY_PURPOSE
            ? ' as an emergency (break-glass) access, announced to the patient and reviewed by auditors'
            : ''}
          .
        </p>
        <div className="actions">
          <button type="button" onClick={() => void open()} disabled={busy || !chosen}>
            Open record
          </button>
          {busy && (
            <span role="status" className="hint">
              Checking device, recording the access on the ledger and verifying the sender’s signature…
            </span>
          )}
        </div>
        {hold && <EmergencyHoldNotice recordId={recordId} hold={hold} />}
        <Refusal error={error} />
        {opened && (
          <>
            <p className="verified" data-testid="access-tx">
              Access recorded on the ledger: <code>{opened.accessTxId}</code>
            </p>
            <SenderVerified
              client={client}
              keys={keys}
              senderId={opened.envelope.senderId}
              directory={directory}
            />
          </>
        )}
      </section>
      {content && <RecordContentView recordId={recordId} content={content} />}
    </>
  );
}

function EmergencyHoldNotice({
  recordId,
  hold,
}: {
  recordId: string;
  hold: { state: EmergencyHold; expiresAt?: string };
}) {
  return (
    <div className="notice" role="alert" data-testid="emergency-hold" data-state={hold.state}>
      {hold.state === 'awaiting-key' ? (
        <>
          <strong>The key has not been released yet.</strong> Your break-glass opening is in force until{' '}
          {formatWhen(hold.expiresAt)}, but the recipient organisation’s emergency service must release the
          record’s key to you first. Nothing was recorded; ask them, then press “Open record” again.
        </>
      ) : (
        <>
          <strong>No break-glass opening in force.</strong>{' '}
          {hold.state === 'ended' ? 'Your opening of this record has ended. ' : ''}
          <a href={href(`/break-glass?record=${encodeURIComponent(recordId)}`)}>Break the glass</a> first, or
          choose another purpose if you have a grant.
        </>
      )}
    </div>
  );
}
