/**
 * A button acting on one row of a table: it shows `action` ("Revoke") and is named for screen readers with
 * the row's `subject` too ("Revoke alice"), so that a list of them stays tellable apart.
 */
export function RowActionButton({
  action,
  subject,
  className,
  disabled,
  onClick,
}: {
  action: string;
  subject: string;
  className: string;
  disabled: boolean;
  onClick: () => void;
}) {
  return (
    <button
      type="button"
      className={className}
      disabled={disabled}
      aria-label={`${action} ${subject}`}
      onClick={onClick}
    >
      {action}
    </button>
  );
}
