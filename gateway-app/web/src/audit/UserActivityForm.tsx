import { useState, type SubmitEvent } from 'react';
import type { Directory } from '../app/directory';
import { PersonField } from '../app/PersonField';
import { SubmitRow } from '../app/SubmitRow';
import type { UserQuery } from './queries';
import { lastDays } from './time';
import { TimeRangeFields } from './TimeRangeFields';

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
  const [query, setQuery] = useState<UserQuery>(() => ({ userId: initialUserId, ...lastDays(30) }));
  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    onSubmit(query);
  };
  return (
    <form onSubmit={submit}>
      <PersonField
        label="User"
        placeholder="Choose a user…"
        directory={directory}
        value={query.userId}
        onChange={(userId) => {
          setQuery({ ...query, userId });
        }}
      />
      <TimeRangeFields
        value={query}
        required
        onChange={(range) => {
          setQuery({ ...query, ...range });
        }}
      />
      <p className="hint">The directory lists active users; times are in your time zone.</p>
      <SubmitRow label="Show user activity" busy={busy} />
    </form>
  );
}
