import { organisationName } from '../../../src/trust/organisation-name';
import { useSignedIn } from './session';

/**
 * Names organisations for people from the trust bundle this browser pinned (see {@link organisationName}):
 * `(mspId) => "St Mary Hospital"`. For signed-in pages.
 */
export function useOrganisationName(): (mspId: string) => string {
  const { keys } = useSignedIn();
  return (mspId) => organisationName(keys.trust, mspId);
}
