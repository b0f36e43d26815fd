import { useRef, useState, type SubmitEvent } from 'react';
import { ApiError } from '../../../src/client/api-client';
import { checkDevice, httpDeviceAgent } from '../../../src/client/flows';
import { Refusal } from '../app/refusal';
import { SubmitRow } from '../app/SubmitRow';
import { href, type Route } from '../app/router';
import { useSession } from '../app/session';
import { AccountFields } from './auth/AccountFields';
import { AgentAddressForm } from './auth/AgentAddressForm';
import { linkedOrganisation, rememberOrganisation } from './auth/last-organisation';
import { PasswordField } from './auth/PasswordField';
import { signInAgentUrl } from './auth/sign-in-agent';
import './auth.css';

type Step = 'password' | 'code' | 'device';

/**
 * Sign-in in three steps: password, authenticator code, then a device check
 * (the gateway verifies the device agent's posture report and records a
 * failure on the ledger). A failed check signs the session out again.
 * `#/?org=…&user=…` fills in the organisation and user name.
 */
export function SignInPage({ route }: { route: Route }) {
  const session = useSession();
  const { client, config } = session;
  const [step, setStep] = useState<Step>('password');
  const [mspId, setMspId] = useState(() => linkedOrganisation(route, config.organisations));
  const [enrollmentId, setEnrollmentId] = useState(() => route.params.get('user') ?? '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const [deviceFailed, setDeviceFailed] = useState(false);
  const codeInput = useRef<HTMLInputElement>(null);

  async function submitPassword(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setDeviceFailed(false);
    setStatus('Checking your password\u2026');
    rememberOrganisation(mspId);
    try {
      await client.login(mspId, enrollmentId.trim(), password);
      setPassword('');
      setStep('code');
      setStatus('Password accepted. Enter the code from your authenticator app.');
    } catch (e) {
      setError(e);
      setStatus('');
    } finally {
      setBusy(false);
    }
  }

  async function submitCode(event: SubmitEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setStatus('Checking your code\u2026');
    try {
      await client.confirmTotp(code.replace(/\s+/g, ''));
    } catch (e) {
      setError(e);
      setCode('');
      setStatus('');
      setBusy(false);
      if (e instanceof ApiError && e.code === 'NO_PENDING_LOGIN') setStep('password');
      else codeInput.current?.focus();
      return;
    }
    setStep('device');
    setStatus('Checking this device\u2026');
    try {
      await checkDevice(client, httpDeviceAgent(signInAgentUrl(session, mspId)), 'login');
    } catch (e) {
      // Not fit to use: the session must not outlive the failed check.
      await client.logout().catch(() => undefined);
      setError(e);
      setDeviceFailed(true);
      setCode('');
      setStep('password');
      setStatus('Signed out: the device check did not pass.');
      setBusy(false);
      return;
    }
    setStatus('Device check passed. Opening MedShare\u2026');
    try {
      await session.refresh();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  function startOver() {
    setStep('password');
    setCode('');
    setError(null);
    setStatus('');
  }

  return (
    <div className="auth">
      <h1>Sign in</h1>
      <section aria-label="Sign in">
        {step === 'password' ? (
          <form onSubmit={(e) => void submitPassword(e)}>
            <AccountFields
              idPrefix="signin"
              organisations={config.organisations}
              mspId={mspId}
              enrollmentId={enrollmentId}
              onMspIdChange={setMspId}
              onEnrollmentIdChange={setEnrollmentId}
            />
            <PasswordField
              id="signin-password"
              label="Password"
              autoComplete="current-password"
              value={password}
              onChange={setPassword}
            />
            <SubmitRow label="Sign in" busy={busy} />
          </form>
        ) : (
          <form onSubmit={(e) => void submitCode(e)}>
            <p>
              Signing in as <strong>{enrollmentId.trim()}</strong> of <strong>{mspId}</strong>.
            </p>
            <label htmlFor="signin-code">Authenticator code</label>
            <input
              id="signin-code"
              ref={codeInput}
              className="otp"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9 ]*"
              maxLength={8}
              aria-describedby="signin-code-hint"
              value={code}
              onChange={(e) => {
                setCode(e.target.value);
              }}
              disabled={step === 'device'}
              required
              autoFocus
            />
            <p className="hint" id="signin-code-hint">
              The 6-digit code your authenticator app shows for MedShare. Each code works once.
            </p>
            <div className="actions">
              <button type="submit" disabled={busy}>
                Verify code
              </button>
              <button type="button" className="secondary" onClick={startOver} disabled={busy}>
                Start over
              </button>
            </div>
          </form>
        )}
        <p className="status" role="status" aria-live="polite">
          {status}
        </p>
        <Refusal error={error} />
      </section>
      {deviceFailed && (
        <section aria-labelledby="signin-agent">
          <h2 id="signin-agent">Device agent</h2>
          <p className="hint">
            If the MedShare device agent on this computer listens at another address, set it here, then sign
            in again.
          </p>
          <AgentAddressForm
            idPrefix="signin"
            suggested={config.deviceAgents[mspId] ?? config.defaultDeviceAgent}
            asking={signInAgentUrl(session, mspId)}
          />
        </section>
      )}
      <p>
        <a href={href('/enrol')}>First time here? Enrol with the secret from your operator</a>
      </p>
    </div>
  );
}
