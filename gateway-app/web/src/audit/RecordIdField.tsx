import { useId } from 'react';
import { RECORD_ID_PATTERN } from './queries';

/** The "Record ID" field: a record id as the chaincode takes it. */
export function RecordIdField({ value, onChange }: { value: string; onChange: (value: string) => void }) {
  const id = useId();
  return (
    <>
      <label htmlFor={id}>Record ID</label>
      <input
        id={id}
        className="mono"
        required
        pattern={RECORD_ID_PATTERN}
        autoComplete="off"
        spellCheck={false}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
      />
    </>
  );
}
