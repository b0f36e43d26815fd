import { useId, useMemo, useState, type SubmitEvent } from 'react';
import { entryLabel, type Directory } from './directory';
import type { UserQuery } from './queries';
import { lastDays } from './time';

/** The user activity form: someone from the directory and a time window, the last 30 days unless changed. */
export function UserActivityForm({
  directory,
  initialUserId,
  onSubmit,
  busy,
}: {
  directory: Directory | undefined;
  initialUserId: string;
  onSubmit: (query: UserQuery) => void;
  busy: boolean;
}) {
  const id = useId();
  const [query, setQuery] = useState<UserQuery>(() => ({ userId: initialUserId, ...lastDays(30) }));
  const people = useMemo(
    () =>
      [...(directory?.values() ?? [])].sort(
        (a, b) => a.mspId.localeCompare(b.mspId) || a.enrollmentId.localeCompare(b.enrollmentId),
      ),
    [directory],
  );
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    onSubmit(query);
  };
  return (
    <form onSubmit={submit}>
      <label htmlFor={`${id}-user`}>User</label>
      <select
        id={`${id}-user`}
        required
        value={query.userId}
        onChange={(e) => {
          setQuery({ ...query, userId: e.target.value });
        }}
      >
        <option value="">{directory ? 'Choose a user…' : 'Loading the directory…'}</option>
        {people.map((entry) => (
          <option key={entry.userId} value={entry.userId}>
            {entryLabel(entry)}
          </option>
        ))}
      </select>
      <div className="audit-range">
        <div>
          <label htmlFor={`${id}-from`}>From</label>
          <input
            id={`${id}-from`}
            type="datetime-local"
            required
            value={query.from}
            onChange={(e) => {
              setQuery({ ...query, from: e.target.value });
            }}
          />
        </div>
        <div>
          <label htmlFor={`${id}-to`}>To</label>
          <input
            id={`${id}-to`}
            type="datetime-local"
            required
            value={query.to}
            onChange={(e) => {
              setQuery({ ...query, to: e.target.value });
            }}
          />
        </div>
      </div>
      <p className="hint">The directory lists active users; times are in your time zone.</p>
      <div className="actions">
        <button type="submit" disabled={busy}>
          Show user activity
        </button>
      </div>
    </form>
  );
}
