/**
 * The fields that name an account: its organisation, among those the gateway serves, and its user name
 * (enrolment id). Their ids are `<idPrefix>-org` and `<idPrefix>-user`.
 */
export function AccountFields({
  idPrefix,
  organisations,
  mspId,
  enrollmentId,
  onMspIdChange,
  onEnrollmentIdChange,
}: {
  idPrefix: string;
  organisations: readonly string[];
  mspId: string;
  enrollmentId: string;
  onMspIdChange: (mspId: string) => void;
  onEnrollmentIdChange: (enrollmentId: string) => void;
}) {
  return (
    <>
      <label htmlFor={`${idPrefix}-org`}>Organisation</label>
      <select
        id={`${idPrefix}-org`}
        value={mspId}
        onChange={(e) => {
          onMspIdChange(e.target.value);
        }}
        required
      >
        {organisations.map((org) => (
          <option key={org} value={org}>
            {org}
          </option>
        ))}
      </select>
      <label htmlFor={`${idPrefix}-user`}>User name</label>
      <input
        id={`${idPrefix}-user`}
        autoComplete="username"
        autoCapitalize="none"
        spellCheck={false}
        value={enrollmentId}
        onChange={(e) => {
          onEnrollmentIdChange(e.target.value);
        }}
        required
      />
    </>
  );
}
