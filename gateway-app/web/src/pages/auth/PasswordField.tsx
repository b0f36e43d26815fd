/**
 * A required, labelled field whose text is hidden: a password, an enrolment secret or a backup passphrase.
 * `hintId` names the hint that describes it; `mismatch`, on a confirmation field, marks it invalid.
 */
export function PasswordField({
  id,
  label,
  autoComplete,
  value,
  onChange,
  hintId,
  mismatch,
}: {
  id: string;
  label: string;
  autoComplete: 'off' | 'current-password' | 'new-password';
  value: string;
  onChange: (value: string) => void;
  hintId?: string;
  mismatch?: boolean;
}) {
  return (
    <>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        type="password"
        autoComplete={autoComplete}
        aria-describedby={hintId}
        aria-invalid={mismatch}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
        required
      />
    </>
  );
}
