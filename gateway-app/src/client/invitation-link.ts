/**
 * Where an invited user enrols in the browser: the gateway's enrolment page
 * with their organisation, login name and the consortium's trust code filled
 * in. The one-time secret is never part of it: it goes to the user by
 * another way (in person or by phone), so that one intercepted message is not
 * enough to enrol.
 */
export function enrolmentLink(
  gatewayUrl: string,
  invitation: { mspId: string; enrollmentId: string; trustDigest: string },
): string {
  const params = new URLSearchParams({
    org: invitation.mspId,
    user: invitation.enrollmentId,
    trust: invitation.trustDigest,
  });
  return `${gatewayUrl.replace(/\/+$/, '')}/#/enrol?${params.toString()}`;
}
