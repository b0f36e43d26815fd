/** The steps of an enrolment, in order. */
export const ENROL_STEPS = ['keys', 'certificate', 'totp', 'backup', 'ledger'] as const;

/** One step of an enrolment. */
export type EnrolStep = (typeof ENROL_STEPS)[number];

const LABELS: Record<EnrolStep, (mspId: string) => string> = {
  keys: () => 'Key pairs generated in this browser',
  certificate: (mspId) => `Certificate issued by the certificate authority of ${mspId}`,
  totp: () => 'Authenticator confirmed',
  backup: () => 'Encrypted backup of your keys stored at the gateway',
  ledger: () => 'Encryption key registered on the ledger',
};

/** The enrolment checklist: which steps are done, which one is under way. */
export function EnrolProgress({
  mspId,
  done,
  active,
}: {
  mspId: string;
  done: ReadonlySet<EnrolStep>;
  active: readonly EnrolStep[];
}) {
  return (
    <ol className="enrol-steps" aria-label="Enrolment progress">
      {ENROL_STEPS.map((step) => {
        const state = done.has(step) ? 'done' : active.includes(step) ? 'active' : 'todo';
        return (
          <li key={step} data-state={state}>
            <span className="mark" aria-hidden="true">
              {state === 'done' ? '\u2713' : state === 'active' ? '\u2026' : '\u25cb'}
            </span>{' '}
            {LABELS[step](mspId)}
            <span className="visually-hidden">
              {state === 'done' ? ' (done)' : state === 'active' ? ' (in progress)' : ' (to do)'}
            </span>
          </li>
        );
      })}
    </ol>
  );
}
