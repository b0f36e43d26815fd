import { useId, type SubmitEvent } from 'react';
import { RECORD_ID_PATTERN, type RecordQuery } from './queries';

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
  const id = useId();
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    onSubmit();
  };
  return (
    <form onSubmit={submit}>
      <label htmlFor={`${id}-record`}>Record ID</label>
      <input
        id={`${id}-record`}
        className="mono"
        required
        pattern={RECORD_ID_PATTERN}
        autoComplete="off"
        spellCheck={false}
        value={value.recordId}
        onChange={(e) => {
          onChange({ ...value, recordId: e.target.value });
        }}
      />
      <div className="audit-range">
        <div>
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="datetime-local"
            value={value.from}
            onChange={(e) => {
              onChange({ ...value, from: e.target.value });
            }}
          />
        </div>
        <div>
          <label htmlFor={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            type="datetime-local"
            value={value.to}
            onChange={(e) => {
              onChange({ ...value, to: e.target.value });
            }}
          />
        </div>
      </div>
      <p className="hint">Optional: leave the times empty for the whole history.</p>
      <div className="actions">
        <button type="submit" disabled={busy}>
          Show record history
        </button>
      </div>
    </form>
  );
}
