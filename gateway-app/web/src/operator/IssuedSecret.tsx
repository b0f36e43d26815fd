import type { ReactNode } from 'react';
import { OneTimeSecret } from './OneTimeSecret';

/**
 * The notice that the CA issued a one-time enrolment secret: `intro` above the secret and its copy button,
 * `children` (how to hand it over and use it) below. `testId` names the notice, `secretTestId` the secret.
 */
export function IssuedSecret({
  testId,
  secretTestId,
  secret,
  intro,
  children,
}: {
  testId: string;
  secretTestId: string;
  secret: string;
  intro: ReactNode;
  children: ReactNode;
}) {
  return (
    <div className="success" role="status" data-testid={testId}>
      <p>{intro}</p>
      <OneTimeSecret secret={secret} testId={secretTestId} />
      {children}
    </div>
  );
}
