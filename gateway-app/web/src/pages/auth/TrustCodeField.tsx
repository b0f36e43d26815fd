/**
 * The invitation's trust code: the digest of the consortium's trust bundle, which this browser checks the
 * gateway's bundle against before it makes a key or sends the secret. Its id is `<idPrefix>-trust`.
 */
export function TrustCodeField({
  idPrefix,
  value,
  onChange,
}: {
  idPrefix: string;
  value: string;
  onChange: (value: string) => void;
}) {
  return (
    <>
      <label htmlFor={`${idPrefix}-trust`}>Trust code</label>
      <input
        id={`${idPrefix}-trust`}
        autoComplete="off"
        autoCapitalize="none"
        spellCheck={false}
        pattern="\s*[0-9a-fA-F]{64}\s*"
        aria-describedby={`${idPrefix}-trust-hint`}
        value={value}
        onChange={(e) => {
          onChange(e.target.value);
        }}
        required
      />
      <p className="hint" id={`${idPrefix}-trust-hint`}>
        The 64-character code your operator gave you with the secret. This browser checks the gateway against
        it, so a gateway that lies about who certifies your organisation is caught.
      </p>
    </>
  );
}
