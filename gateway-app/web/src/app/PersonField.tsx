import { useMemo } from 'react';
import { ChoiceField, type Choice } from './ChoiceField';
import { entryLabel, type Directory } from './directory';

/**
 * A required choice of someone the directory lists (of one role when `role` is given), by organisation
 * then name; the value is their ledger user id, `''` until chosen.
 */
export function PersonField({
  label,
  placeholder,
  directory,
  role,
  value,
  onChange,
}: {
  label: string;
  /** What the empty choice says once the directory is loaded, such as "Choose a user…". */
  placeholder: string;
  directory: Directory | undefined;
  role?: string;
  value: string;
  onChange: (userId: string) => void;
}) {
  const people = useMemo(
    (): readonly Choice<string>[] =>
      [...(directory?.values() ?? [])]
        .filter((entry) => role === undefined || entry.role === role)
        .sort((a, b) => a.mspId.localeCompare(b.mspId) || a.enrollmentId.localeCompare(b.enrollmentId))
        .map((entry) => ({ value: entry.userId, label: entryLabel(entry) })),
    [directory, role],
  );
  return (
    <ChoiceField
      label={label}
      placeholder={directory ? placeholder : 'Loading the directory…'}
      options={people}
      value={value}
      onChange={onChange}
    />
  );
}
