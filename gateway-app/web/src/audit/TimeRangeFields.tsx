import { useId } from 'react';

/** A time window as two datetime-local values; '' for no bound. */
export interface TimeRange {
  from: string;
  to: string;
}

const BOUNDS = [
  ['from', 'From'],
  ['to', 'To'],
] as const;

/** The "From" and "To" fields of an audit query, side by side. */
export function TimeRangeFields({
  value,
  onChange,
  required = false,
}: {
  value: TimeRange;
  onChange: (value: TimeRange) => void;
  /** Whether both bounds must be given. */
  required?: boolean;
}) {
  const id = useId();
  return (
    <div className="audit-range">
      {BOUNDS.map(([bound, label]) => (
        <div key={bound}>
          <label htmlFor={`${id}-${bound}`}>{label}</label>
          <input
            id={`${id}-${bound}`}
            type="datetime-local"
            required={required}
            value={value[bound]}
            onChange={(e) => {
              onChange({ ...value, [bound]: e.target.value });
            }}
          />
        </div>
      ))}
    </div>
  );
}
