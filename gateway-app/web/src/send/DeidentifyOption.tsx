/** The choice to de-identify DICOM files before they are encrypted, with what it does and does not do. */
export function DeidentifyOption({
  checked,
  onChange,
  disabled,
}: {
  checked: boolean;
  onChange: (checked: boolean) => void;
  disabled: boolean;
}) {
  return (
    <div className="deidentify-option">
      <label>
        <input
          type="checkbox"
          checked={checked}
          disabled={disabled}
          onChange={(e) => {
            onChange(e.target.checked);
          }}
        />{' '}
        De-identify on this device before encryption (DICOM PS3.15 Basic Profile)
      </label>
      <p className="hint">
        Names, identifiers, dates, addresses, private attributes and descriptions are removed or replaced, and
        UIDs are replaced consistently within the study. Text burned into the pixels is not removed: images
        that declare it are refused.
      </p>
    </div>
  );
}
