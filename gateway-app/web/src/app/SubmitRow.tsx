/**
 * A form's row of actions holding only its submit button, disabled while the form's action runs (`busy`)
 * or when `disabled`; it reads `busyLabel`, when given, while busy.
 */
export function SubmitRow({
  label,
  busy,
  busyLabel,
  disabled = false,
}: {
  label: string;
  busy: boolean;
  busyLabel?: string;
  disabled?: boolean;
}) {
  return (
    <div className="actions">
      <button type="submit" disabled={busy || disabled}>
        {busy && busyLabel ? busyLabel : label}
      </button>
    </div>
  );
}
