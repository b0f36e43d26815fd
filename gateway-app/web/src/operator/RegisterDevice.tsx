import { useCallback, useId, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import type { DeviceSigner } from '../../../src/client/signer';
import { Refusal } from '../app/refusal';
import { useAction } from '../audit/use-action';
import { OneTimeSecret } from './OneTimeSecret';
import { ENROLLMENT_ID_PATTERN, registerDevice } from './registration';

/** Registers a device agent at the CA and shows its one-time secret and enrol command. */
export function RegisterDevice({
  client,
  operator,
  mspId,
}: {
  client: GatewayClient;
  operator: DeviceSigner;
  mspId: string;
}) {
  const id = useId();
  const [name, setName] = useState('');
  const register = useCallback(
    (enrollmentId: string) => registerDevice(client, operator, enrollmentId),
    [client, operator],
  );
  const registration = useAction(register);
  const done = registration.value;

  const submit = (event: SubmitEvent) => {
    event.preventDefault();
    void registration.run(name.trim()).then((ok) => {
      if (ok) setName('');
    });
  };

  return (
    <>
      <form onSubmit={submit}>
        <label htmlFor={`${id}-name`}>Device name</label>
        <input
          id={`${id}-name`}
          required
          pattern={ENROLLMENT_ID_PATTERN}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={`${id}-hint`}
          value={name}
          onChange={(e) => {
            setName(e.target.value);
          }}
        />
        <p id={`${id}-hint`} className="hint">
          The device agent&rsquo;s enrolment id, for example <code>ws-radiology-07</code>.
        </p>
        <div className="actions">
          <button type="submit" disabled={registration.busy}>
            {registration.busy ? 'Registering…' : 'Register device'}
          </button>
        </div>
      </form>
      <Refusal error={registration.error} />
      {done && (
        <div className="success" role="status" data-testid="device-registration">
          <p>
            Registered device <strong>{done.enrollmentId}</strong>. Its one-time enrolment secret (give it to
            the device only; it is not shown again):
          </p>
          <OneTimeSecret secret={done.secret} testId="device-secret" />
          <p>On the device, put the secret in a file readable only by the agent and run:</p>
          <pre className="op-command" data-testid="device-enrol-command">
            {`medshare-device-agent enrol --gateway ${window.location.origin} --msp ${mspId} --id ${done.enrollmentId} --secret-file FILE`}
          </pre>
        </div>
      )}
    </>
  );
}
