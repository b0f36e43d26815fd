import { useCallback, useId, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import { closeReview } from '../../../src/client/audit';
import type { LedgerIdentity } from '../../../src/client/ledger-call';
import { ChoiceField, choicesOf } from '../app/ChoiceField';
import { Refusal } from '../app/refusal';
import { SubmitRow } from '../app/SubmitRow';
import type { Directory } from '../app/directory';
import { downloadFile } from './download';
import { shortHex } from './ids';
import { loadOpenReviews, MAX_OPENING_MS, type OpenReview } from './reviews';
import { formatWhen } from './time';
import { useAction } from './use-action';
import { useLoaded } from '../app/use-loaded';
import { UserRef } from './UserRef';
import { reasonText } from '../records/reasons';

type Finding = 'justified' | 'unjustified';

const FINDINGS = choicesOf<Finding>(['justified', 'unjustified']);

/** A closed review, as the auditor sees it confirmed. */
interface Closed {
  review: OpenReview;
  finding: Finding;
  note: string;
  txId: string;
  noteHash: string;
}

function ReviewItem({
  review,
  directory,
  close,
  onShowRecord,
}: {
  review: OpenReview;
  directory: Directory | undefined;
  close: (review: OpenReview, finding: Finding, note: string) => Promise<void>;
  onShowRecord: (recordId: string) => void;
}) {
  const id = useId();
  const [finding, setFinding] = useState<Finding | ''>('');
  const [note, setNote] = useState('');
  const closing = useAction(close);
  const latest = new Date(Date.parse(review.openedAt) + MAX_OPENING_MS).toISOString();

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (finding) void closing.run(review, finding, note);
  };

  return (
    <li className="audit-review" data-testid="review" data-review-id={review.reviewId}>
      <dl className="audit-facts">
        <dt>Doctor</dt>
        <dd>
          <UserRef userId={review.doctorId} directory={directory} />
          {directory?.get(review.doctorId) && (
            <span className="hint"> · {directory.get(review.doctorId)?.organisation}</span>
          )}
        </dd>
        <dt>Record</dt>
        <dd>
          <span className="mono">{review.recordId}</span>{' '}
          <button
            type="button"
            className="secondary audit-inline"
            onClick={() => {
              onShowRecord(review.recordId);
            }}
          >
            Trail of this record
          </button>
        </dd>
        <dt>Reason code</dt>
        <dd>
          <code>{review.reasonCode}</code> <span className="hint">{reasonText(review.reasonCode)}</span>
        </dd>
        <dt>Opened</dt>
        <dd>
          <time dateTime={review.openedAt}>{formatWhen(review.openedAt)}</time>
        </dd>
        <dt>Expires</dt>
        <dd>
          {review.expiresAt ? (
            <time dateTime={review.expiresAt}>{formatWhen(review.expiresAt)}</time>
          ) : (
            <span className="hint">
              not shown to auditors until the doctor reads the record; at the latest{' '}
              <time dateTime={latest}>{formatWhen(latest)}</time>
            </span>
          )}
        </dd>
        <dt>Justification hash</dt>
        <dd className="mono" title="SHA-256 of the doctor's written justification, which the hospital keeps">
          {review.justificationHash}
        </dd>
        <dt>Review id</dt>
        <dd className="mono" title={review.reviewId}>
          {shortHex(review.reviewId)}
        </dd>
      </dl>
      <form onSubmit={submit} aria-label={`Close the review of record ${review.recordId}`}>
        <ChoiceField
          label="Finding"
          placeholder="Choose a finding…"
          options={FINDINGS}
          value={finding}
          onChange={setFinding}
        />
        <label htmlFor={`${id}-note`}>Review note</label>
        <textarea
          id={`${id}-note`}
          rows={3}
          value={note}
          aria-describedby={`${id}-note-hint`}
          onChange={(e) => {
            setNote(e.target.value);
          }}
        />
        <p id={`${id}-note-hint`} className="hint">
          The note stays off the ledger (it may name the patient): only its SHA-256 is recorded. Keep the note
          with your audit files.
        </p>
        <SubmitRow label="Close review" busyLabel="Closing…" busy={closing.busy} />
        <Refusal error={closing.error} />
      </form>
    </li>
  );
}

/** The break-glass openings awaiting an auditor's finding, each closable with a finding and a note. */
export function BreakGlassReviews({
  client,
  auditor,
  directory,
  onShowRecord,
}: {
  client: GatewayClient;
  auditor: LedgerIdentity;
  directory: Directory | undefined;
  onShowRecord: (recordId: string) => void;
}) {
  const load = useCallback(() => loadOpenReviews(client, auditor), [client, auditor]);
  const reviews = useLoaded(load);
  const [closed, setClosed] = useState<Closed>();
  const { reload } = reviews;

  const close = useCallback(
    async (review: OpenReview, finding: Finding, note: string) => {
      const { txId, noteHash } = await closeReview(client, auditor, review.reviewId, finding, note);
      setClosed({ review, finding, note, txId, noteHash });
      reload();
    },
    [client, auditor, reload],
  );

  const list = reviews.value ?? [];
  return (
    <>
      <div className="actions">
        <button type="button" className="secondary" onClick={reload} disabled={reviews.loading}>
          Refresh reviews
        </button>
      </div>
      {closed && (
        <div className="success" role="status" data-testid="review-closed">
          <p>
            Closed the review of record <span className="mono">{closed.review.recordId}</span> as{' '}
            <strong>{closed.finding}</strong>.
          </p>
          <p>
            Ledger transaction: <code data-testid="review-tx">{closed.txId}</code>
          </p>
          <p>
            Note SHA-256: <code>{closed.noteHash}</code>
          </p>
          <div className="actions">
            <button
              type="button"
              className="secondary"
              onClick={() => {
                downloadFile(
                  `medshare-review-${closed.review.reviewId.slice(0, 12)}-note.txt`,
                  closed.note,
                  'text/plain;charset=utf-8',
                );
              }}
            >
              Save the note
            </button>
          </div>
        </div>
      )}
      <Refusal error={reviews.error} />
      <p role="status" className="hint">
        {reviews.loading
          ? 'Loading open reviews…'
          : reviews.error !== undefined
            ? ''
            : list.length === 0
              ? 'No break-glass opening awaits review.'
              : `${String(list.length)} opening${list.length === 1 ? '' : 's'} awaiting review.`}
      </p>
      {list.length > 0 && (
        <ul className="audit-reviews">
          {list.map((review) => (
            <ReviewItem
              key={review.reviewId}
              review={review}
              directory={directory}
              close={close}
              onShowRecord={onShowRecord}
            />
          ))}
        </ul>
      )}
    </>
  );
}
