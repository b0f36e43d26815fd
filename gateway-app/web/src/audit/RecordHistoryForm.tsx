import type { SubmitEvent } from 'react';
import { SubmitRow } from '../app/SubmitRow';
import type { RecordQuery } from './queries';
import { RecordIdField } from './RecordIdField';
import { TimeRangeFields } from './TimeRangeFields';

/** The record history form; its values live with the page, which can fill in a record from a review. */
export function RecordHistoryForm({
  value,
  onChange,
  onSubmit,
  busy,
}: {
  value: RecordQuery;
  onChange: (value: RecordQuery) => void;
  onSubmit: () => void;
  busy: boolean;
}) {
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={submit}>
      <RecordIdField
        value={value.recordId}
        onChange={(recordId) => {
          onChange({ ...value, recordId });
        }}
      />
      <TimeRangeFields
        value={value}
        onChange={(range) => {
          onChange({ ...value, ...range });
        }}
      />
      <p className="hint">Optional: leave the times empty for the whole history.</p>
      <SubmitRow label="Show record history" busy={busy} />
    </form>
  );
}
