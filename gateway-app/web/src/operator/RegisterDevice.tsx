import { useCallback, useState, type SubmitEvent } from 'react';
import type { GatewayClient } from '../../../src/client/api-client';
import type { DeviceSigner } from '../../../src/client/signer';
import { Refusal } from '../app/refusal';
import { SubmitRow } from '../app/SubmitRow';
import { useAction } from '../audit/use-action';
import { EnrollmentIdField } from './EnrollmentIdField';
import { IssuedSecret } from './IssuedSecret';
import { registerDevice } from './registration';

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
        <EnrollmentIdField
          label="Device name"
          hint={
            <>
              The device agent&rsquo;s enrolment id, for example <code>ws-radiology-07</code>.
            </>
          }
          value={name}
          onChange={setName}
        />
        <SubmitRow label="Register device" busyLabel="Registering…" busy={registration.busy} />
      </form>
      <Refusal error={registration.error} />
      {done && (
        <IssuedSecret
          testId="device-registration"
          secretTestId="device-secret"
          secret={done.secret}
          intro={
            <>
              Registered device <strong>{done.enrollmentId}</strong>. Its one-time enrolment secret (give it
              to the device only; it is not shown again):
            </>
          }
        >
          <p>On the device, put the secret in a file readable only by the agent and run:</p>
          <pre className="op-command" data-testid="device-enrol-command">
            {`medshare-device-agent enrol --gateway ${window.location.origin} --msp ${mspId} --id ${done.enrollmentId} --secret-file FILE`}
          </pre>
        </IssuedSecret>
      )}
    </>
  );
}
