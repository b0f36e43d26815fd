import { useId, type ReactNode } from 'react';
import { ENROLLMENT_ID_PATTERN } from './registration';

/** A required field for an enrolment id the CA and the gateway accept, with a hint under it. */
export function EnrollmentIdField({
  label,
  hint,
  value,
  onChange,
}: {
  label: string;
  hint: ReactNode;
  value: string;
  onChange: (value: string) => void;
}) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        required
        pattern={ENROLLMENT_ID_PATTERN}
        autoComplete="off"
        spellCheck={false}
        aria-describedby={`${id}-hint`}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
      />
      <p id={`${id}-hint`} className="hint">
        {hint}
      </p>
    </>
  );
}
