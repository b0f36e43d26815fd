import { useCallback, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import type { DeviceSigner } from '../../../src/client/signer';
import { ChoiceField, choicesOf } from '../app/ChoiceField';
import { Refusal } from '../app/refusal';
import { SubmitRow } from '../app/SubmitRow';
import { useAction } from '../audit/use-action';
import { EnrollmentIdField } from './EnrollmentIdField';
import { enrolmentLink } from '../../../src/client/invitation-link';
import { IssuedSecret } from './IssuedSecret';
import { LinkQr } from './LinkQr';
import { INVITABLE_ROLES, inviteUser, type InvitableRole } from './registration';

const ROLES = choicesOf(INVITABLE_ROLES);

/** The invitation form and, once sent, the one-time secret to hand over. */
export function InviteUser({
  client,
  operator,
  mspId,
  trustDigest,
  onInvited,
}: {
  client: GatewayClient;
  operator: DeviceSigner;
  mspId: string;
  /** The trust code of the bundle this browser pinned: the invitee's device checks the gateway against it. */
  trustDigest: string | null;
  onInvited: () => void;
}) {
  const [name, setName] = useState('');
  const [role, setRole] = useState<InvitableRole | ''>('');
  const invite = useCallback(
    async (enrollmentId: string, as: InvitableRole) => {
      const invited = await inviteUser(client, operator, enrollmentId, as);
      onInvited();
      return { ...invited, role: as };
    },
    [client, operator, onInvited],
  );
  const invitation = useAction(invite);
  const done = invitation.value;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    if (role) {
      void invitation.run(name.trim(), role).then((ok) => {
        if (ok) setName('');
      });
    }
  };

  if (!trustDigest) {
    return (
      <p className="refusal" role="alert" data-testid="no-trust-code">
        This browser pins no trust bundle for your account, so an invitation could not carry its trust code.
        Import your key file (Recover keys), which holds the bundle, then invite.
      </p>
    );
  }
  const link = (enrollmentId: string) =>
    enrolmentLink(window.location.origin, { mspId, enrollmentId, trustDigest });

  return (
    <>
      <form onSubmit={submit}>
        <div className="grid-2">
          <div>
            <EnrollmentIdField
              label="User name"
              hint="Their enrolment id (login name): letters, digits and . _ @ -, up to 64."
              value={name}
              onChange={setName}
            />
          </div>
          <div>
            <ChoiceField
              label="Role"
              placeholder="Choose a role…"
              options={ROLES}
              value={role}
              onChange={setRole}
            />
          </div>
        </div>
        <SubmitRow label="Invite" busyLabel="Inviting…" busy={invitation.busy} />
      </form>
      <Refusal error={invitation.error} />
      {done && (
        <IssuedSecret
          testId="invitation"
          secretTestId="enrolment-secret"
          secret={done.secret}
          intro={
            <>
              Invited <strong data-testid="invited-user">{done.enrollmentId}</strong> as {done.role}. Their
              one-time enrolment secret:
            </>
          }
        >
          <p>
            With it goes the consortium&rsquo;s <strong>trust code</strong>, which their device checks the
            gateway against: <code data-testid="trust-code">{trustDigest}</code>
          </p>
          <p>
            Hand it over <strong>out of band</strong> (in person or by phone, never in the same message as the
            user name). It works once and is not shown again. They enrol in the browser at{' '}
            <code data-testid="enrol-link">{link(done.enrollmentId)}</code> (the QR code below opens it, trust
            code included), or with the CLI:
          </p>
          <LinkQr link={link(done.enrollmentId)} />
          <pre className="op-command">
            {`medshare enrol --gateway ${window.location.origin} --msp ${mspId} --name ${done.enrollmentId} --trust ${trustDigest} --secret-file FILE`}
          </pre>
        </IssuedSecret>
      )}
    </>
  );
}
