import { useOrganisationName } from '../app/organisations';
import { href } from '../app/router';
import { nameOf, type Directory } from '../app/directory';
import { Refusal } from '../app/refusal';
import type { Loaded } from '../app/use-loaded';
import type { EmergencyOpeningNotice } from '../../../src/client/emergency-openings';
import { formatWhen, shortId } from './format';
import { reasonText } from './reasons';

/** Where an opening stands, in words. */
function standing(opening: EmergencyOpeningNotice): string {
  const key = opening.keyReleasedAt
    ? `key released ${formatWhen(opening.keyReleasedAt)}`
    : 'key not released';
  const review = opening.finding ? `reviewed: ${opening.finding}` : 'review pending';
  return `${key} · ${review}`;
}

/**
 * The patient's notice of emergency (break-glass) openings of their records:
 * who opened which record, when, why, until when, and whether the key was
 * released and the opening reviewed. Shown at the top of the inbox, so that
 * no opening goes unseen.
 */
export function EmergencyOpenings({
  openings,
  directory,
}: {
  openings: Loaded<EmergencyOpeningNotice[]>;
  directory: Directory | undefined;
}) {
  const organisation = useOrganisationName();
  const rows = openings.value ?? [];
  if (openings.error) return <Refusal error={openings.error} />;
  if (rows.length === 0) return null;
  return (
    <section
      className="notice breakglass"
      role="alert"
      aria-labelledby="emergency-openings"
      data-testid="emergency-openings"
    >
      <h2 id="emergency-openings">
        {rows.length === 1
          ? 'One of your records was opened in an emergency'
          : `Your records were opened in an emergency ${String(rows.length)} times`}
      </h2>
      <p className="hint">
        A doctor without your grant may open a record when you cannot consent. Each opening is on the ledger,
        and auditors of the hospitals that hold the record review it.
      </p>
      <ul>
        {rows.map((o) => (
          <li
            key={o.txId}
            data-testid="emergency-opening"
            data-reason={o.reasonCode}
            data-doctor={o.doctorId}
          >
            <strong>{`${nameOf(directory, o.doctorId)} (${organisation(o.doctorMspId)})`}</strong> opened
            record{' '}
            <a href={href(`/records/${encodeURIComponent(o.recordId)}`)} className="mono">
              {shortId(o.recordId)}
            </a>{' '}
            on <time dateTime={o.openedAt}>{formatWhen(o.openedAt)}</time>
            {o.until && (
              <>
                {' '}
                until <time dateTime={o.until}>{formatWhen(o.until)}</time>
              </>
            )}
            . Reason: <em>{reasonText(o.reasonCode)}</em>. <span className="hint">{standing(o)}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}
