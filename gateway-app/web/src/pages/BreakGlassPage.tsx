import { useId, useState } from 'react';
import { breakGlass, type BreakGlassOpening, type EmergencyReason } from '../../../src/client/break-glass';
import { Refusal } from '../app/refusal';
import { href, type Route } from '../app/router';
import { useSignedIn } from '../app/session';
import { formatWhen } from '../records/format';
import { EMERGENCY_REASON_TEXT } from '../records/reasons';
import '../records/records.css';

const REASONS: readonly EmergencyReason[] = ['LIFE_THREATENING', 'UNCONSCIOUS', 'URGENT_CARE', 'OTHER'];

const RECORD_ID = /^[A-Za-z0-9_-]{16,64}$/;

/** #/break-glass: a doctor opens a record without a grant in an emergency, logged and reviewed. */
export function BreakGlassPage({ route }: { route: Route }) {
  const { client, keys, agent } = useSignedIn();
  const id = useId();
  const [recordId, setRecordId] = useState(route.params.get('record') ?? '');
  const [reason, setReason] = useState<EmergencyReason>('LIFE_THREATENING');
  const [justification, setJustification] = useState('');
  const [minutes, setMinutes] = useState('60');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [opening, setOpening] = useState<(BreakGlassOpening & { recordId: string }) | null>(null);

  const trimmedId = recordId.trim();
  const duration = Number(minutes);
  const durationValid = Number.isInteger(duration) && duration >= 1 && duration <= 240;
  const valid = RECORD_ID.test(trimmedId) && justification.trim().length > 0 && durationValid;

  const submit = async () => {
    setBusy(true);
    setError(null);
    setOpening(null);
    try {
      const opened = await breakGlass(client, keys, agent, {
        recordId: trimmedId,
        reasonCode: reason,
        justification: justification.trim(),
        durationMinutes: duration,
      });
      setOpening({ ...opened, recordId: trimmedId });
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <h1>Emergency access (break-glass)</h1>
      <div className="notice">
        <p>
          Use this only when a patient needs care now and you have no grant to their record. Breaking the
          glass is <strong>logged on the ledger</strong>, <strong>announced to the patient</strong>, and{' '}
          <strong>reviewed by auditors</strong>, who will ask for your justification.
        </p>
      </div>
      <section>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (valid && !busy) void submit();
          }}
        >
          <label htmlFor={`${id}-record`}>Record ID</label>
          <input
            id={`${id}-record`}
            value={recordId}
            autoComplete="off"
            spellCheck={false}
            className="mono"
            disabled={busy}
            aria-invalid={trimmedId !== '' && !RECORD_ID.test(trimmedId)}
            aria-describedby={`${id}-record-hint`}
            onChange={(e) => {
              setRecordId(e.target.value);
            }}
          />
          <p className="hint" id={`${id}-record-hint`}>
            16 to 64 letters, digits, “-” or “_”, as the patient’s records show it.
          </p>
          <label htmlFor={`${id}-reason`}>Reason</label>
          <select
            id={`${id}-reason`}
            value={reason}
            disabled={busy}
            onChange={(e) => {
              setReason(e.target.value as EmergencyReason);
            }}
          >
            {REASONS.map((code) => (
              <option key={code} value={code}>
                {EMERGENCY_REASON_TEXT[code]}
              </option>
            ))}
          </select>
          <label htmlFor={`${id}-why`}>Justification</label>
          <textarea
            id={`${id}-why`}
            rows={4}
            value={justification}
            disabled={busy}
            aria-describedby={`${id}-why-hint`}
            onChange={(e) => {
              setJustification(e.target.value);
            }}
          />
          <p className="hint" id={`${id}-why-hint`}>
            Kept by your hospital for the review; only its SHA-256 fingerprint goes on the ledger.
          </p>
          <label htmlFor={`${id}-minutes`}>Duration (minutes)</label>
          <input
            id={`${id}-minutes`}
            type="number"
            min={1}
            max={240}
            step={1}
            value={minutes}
            disabled={busy}
            aria-invalid={!durationValid}
            aria-describedby={`${id}-minutes-hint`}
            onChange={(e) => {
              setMinutes(e.target.value);
            }}
          />
          <p className="hint" id={`${id}-minutes-hint`}>
            1 to 240 minutes: as long as the emergency needs, no longer.
          </p>
          <div className="actions">
            <button type="submit" className="danger" disabled={!valid || busy}>
              Break the glass
            </button>
            {busy && (
              <span role="status" className="hint">
                Checking device and recording the opening on the ledger…
              </span>
            )}
          </div>
        </form>
      </section>
      <Refusal error={error} />
      {opening && (
        <div className="success" data-testid="break-glass-result">
          <strong>Opening recorded on the ledger.</strong>
          <dl className="facts">
            <dt>Transaction</dt>
            <dd>
              <code data-testid="break-glass-tx">{opening.txId}</code>
            </dd>
            <dt>Review</dt>
            <dd>
              <code data-testid="review-id">{opening.reviewId}</code>
            </dd>
            <dt>In force until</dt>
            <dd>
              <time dateTime={opening.expiresAt} data-testid="break-glass-expires">
                {formatWhen(opening.expiresAt)}
              </time>
            </dd>
          </dl>
          <p>
            <strong>Next:</strong> the recipient organisation’s emergency service (its operator) must release
            the record’s key to you; the patient and auditors have been notified. Once it is released, open
            the record:
          </p>
          <p>
            <a href={href(`/records/${encodeURIComponent(opening.recordId)}?purpose=ETREAT`)}>Open record</a>{' '}
            <span className="hint">(emergency treatment, ETREAT)</span>
          </p>
        </div>
      )}
    </>
  );
}
