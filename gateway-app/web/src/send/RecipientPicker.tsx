import { useId, useState } from 'react';
import { entryLabel, type Person } from '../app/directory';

/** Roles that can receive records (the chaincode refuses the others). */
const RECEIVING_ROLES = new Set(['technologist', 'doctor', 'patient']);

/** Picks the recipient among the directory's users: a filter field and a list box. */
export function RecipientPicker({
  entries,
  selfId,
  value,
  onChange,
  disabled,
}: {
  /** The directory, or undefined while it loads. */
  entries: readonly Person[] | undefined;
  selfId: string;
  value: string;
  onChange: (userId: string) => void;
  disabled: boolean;
}) {
  const id = useId();
  const [filter, setFilter] = useState('');
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  const candidates = (entries ?? [])
    .filter((e) => e.userId !== selfId && RECEIVING_ROLES.has(e.role))
    .sort((a, b) => entryLabel(a).localeCompare(entryLabel(b)));
  // The chosen recipient stays listed whatever the filter, so the list box never loses its value.
  const shown = candidates.filter(
    (e) => e.userId === value || words.every((w) => entryLabel(e).toLowerCase().includes(w)),
  );
  return (
    <div className="recipient-picker">
      <label htmlFor={`${id}-filter`}>Find recipient</label>
      <input
        id={`${id}-filter`}
        type="search"
        value={filter}
        autoComplete="off"
        placeholder="Name, role or organisation"
        aria-controls={`${id}-list`}
        onChange={(e) => {
          setFilter(e.target.value);
        }}
        disabled={disabled}
      />
      <label htmlFor={`${id}-list`}>Recipient</label>
      <select
        id={`${id}-list`}
        size={Math.min(8, Math.max(3, shown.length))}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
        disabled={disabled}
        aria-describedby={`${id}-count`}
      >
        {shown.map((e) => (
          <option key={e.userId} value={e.userId}>
            {entryLabel(e)}
          </option>
        ))}
      </select>
      <p className="hint" id={`${id}-count`}>
        {entries === undefined
          ? 'Loading the directory…'
          : shown.length === 0
            ? 'Nobody matches. Clear the filter to see everyone.'
            : `${shown.length} of ${candidates.length} people shown.`}
      </p>
    </div>
  );
}
