import { useId } from 'react';

/** One choice of a {@link ChoiceField}: its value and what it says. */
export interface Choice<T extends string> {
  value: T;
  label: string;
}

/** The choices of a list of values, each shown as itself. */
export const choicesOf = <T extends string>(values: readonly T[]): readonly Choice<T>[] =>
  values.map((value) => ({ value, label: value }));

/** A required choice among `options` that starts unchosen (`''`, which says `placeholder`). */
export function ChoiceField<T extends string>({
  label,
  placeholder,
  options,
  value,
  onChange,
}: {
  label: string;
  /** What the empty choice says, such as "Choose a role…". */
  placeholder: string;
  options: readonly Choice<T>[];
  value: T | '';
  onChange: (value: T | '') => void;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <select
        id={id}
        required
        value={value}
        onChange={(e) => {
          onChange(e.target.value as T | '');
        }}
      >
        <option value="">{placeholder}</option>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </>
  );
}
