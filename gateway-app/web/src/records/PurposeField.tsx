import { useId } from 'react';
import { purposeLabel } from './purposes';

/** The "Purpose" choice among purpose-of-use codes, each shown by its name. */
export function PurposeField({
  purposes,
  value,
  disabled,
  onChange,
}: {
  purposes: readonly string[];
  value: string;
  disabled: boolean;
  onChange: (purpose: string) => void;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>Purpose</label>
      <select
        id={id}
        value={value}
        disabled={disabled}
        onChange={(e) => {
          onChange(e.target.value);
        }}
      >
        {purposes.map((p) => (
          <option key={p} value={p}>
            {purposeLabel(p)}
          </option>
        ))}
      </select>
    </>
  );
}
