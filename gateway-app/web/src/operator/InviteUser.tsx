import { useCallback, useId, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import type { DeviceSigner } from '../../../src/client/signer';
import { Refusal } from '../app/refusal';
import { useAction } from '../audit/use-action';
import { OneTimeSecret } from './OneTimeSecret';
import { ENROLLMENT_ID_PATTERN, INVITABLE_ROLES, inviteUser, type InvitableRole } from './registration';

/** The invitation form and, once sent, the one-time secret to hand over. */
export function InviteUser({
  client,
  operator,
  mspId,
  onInvited,
}: {
  client: GatewayClient;
  operator: DeviceSigner;
  mspId: string;
  onInvited: () => void;
}) {
  const id = useId();
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

  return (
    <>
      <form onSubmit={submit}>
        <div className="grid-2">
          <div>
            <label htmlFor={`${id}-name`}>User name</label>
            <input
              id={`${id}-name`}
              required
              pattern={ENROLLMENT_ID_PATTERN}
              autoComplete="off"
              spellCheck={false}
              aria-describedby={`${id}-name-hint`}
              value={name}
              onChange={(e) => {
                setName(e.target.value);
              }}
            />
            <p id={`${id}-name-hint`} className="hint">
              Their enrolment id (login name): letters, digits and . _ @ -, up to 64.
            </p>
          </div>
          <div>
            <label htmlFor={`${id}-role`}>Role</label>
            <select
              id={`${id}-role`}
              required
              value={role}
              onChange={(e) => {
                setRole(e.target.value as InvitableRole | '');
              }}
            >
              <option value="">Choose a role…</option>
              {INVITABLE_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </div>
        </div>
        <div className="actions">
          <button type="submit" disabled={invitation.busy}>
            {invitation.busy ? 'Inviting…' : 'Invite'}
          </button>
        </div>
      </form>
      <Refusal error={invitation.error} />
      {done && (
        <div className="success" role="status" data-testid="invitation">
          <p>
            Invited <strong data-testid="invited-user">{done.enrollmentId}</strong> as {done.role}. Their
            one-time enrolment secret:
          </p>
          <OneTimeSecret secret={done.secret} testId="enrolment-secret" />
          <p>
            Hand it over <strong>out of band</strong> (in person or by phone, never in the same message as the
            user name). It works once and is not shown again. They enrol in the browser at{' '}
            <code>{`${window.location.origin}/#/enrol`}</code> with organisation <code>{mspId}</code>, or with
            the CLI:
          </p>
          <pre className="op-command">
            {`medshare enrol --gateway ${window.location.origin} --msp ${mspId} --name ${done.enrollmentId} --secret-file FILE`}
          </pre>
        </div>
      )}
    </>
  );
}
