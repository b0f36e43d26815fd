import { useEffect, useRef, useState, type SubmitEvent } from 'react';
import { ApiError } from '../../../src/client/api-client';
import { finishEnrolment, startEnrolment, type PendingEnrolment } from '../../../src/client/enrolment';
import { Refusal } from '../app/refusal';
import { SubmitRow } from '../app/SubmitRow';
import { href, navigate, type Route } from '../app/router';
import { useSession } from '../app/session';
import { AccountFields } from './auth/AccountFields';
import { completeEnrolment } from './auth/complete-enrolment';
import { EnrolProgress, type EnrolStep } from './auth/EnrolProgress';
import { linkedOrganisation, rememberOrganisation } from './auth/last-organisation';
import { PasswordField } from './auth/PasswordField';
import { TotpSetup } from './auth/TotpSetup';
import { TrustCodeField } from './auth/TrustCodeField';
import { importDeviceIdentity, saveDeviceIdentity } from './identity';
import './auth.css';

type Phase = 'form' | 'creating' | 'totp' | 'finishing' | 'incomplete' | 'done';

interface Fields {
  mspId: string;
  enrollmentId: string;
  trust: string;
  secret: string;
  password: string;
  confirmPassword: string;
  passphrase: string;
  confirmPassphrase: string;
}

const MIN_PASSPHRASE = 12;
const FINISH_STEPS: readonly EnrolStep[] = ['totp', 'backup', 'ledger'];

function problemsOf(fields: Fields): string[] {
  const problems: string[] = [];
  if (fields.password !== fields.confirmPassword) problems.push('The two passwords differ.');
  if (Array.from(fields.passphrase).length < MIN_PASSPHRASE) {
    problems.push(`Use at least ${MIN_PASSPHRASE} characters for the backup passphrase.`);
  }
  if (fields.passphrase !== fields.confirmPassphrase) problems.push('The two backup passphrases differ.');
  // The gateway sees the password at every sign-in, so it must not also open the backup.
  if (fields.passphrase && fields.passphrase === fields.password) {
    problems.push('Choose a backup passphrase that is not your password.');
  }
  return problems;
}

function zero(pending: PendingEnrolment | null): void {
  pending?.signingKeyPkcs8.fill(0);
  pending?.encryptionKeyPkcs8.fill(0);
}

/**
 * Enrolment with the operator's one-time secret: key pairs made in this
 * browser, a certificate from the organisation's CA, an authenticator, an
 * encrypted key backup the gateway cannot open, and the encryption key
 * registered on the ledger. The keys end up non-extractable in this browser.
 * An operator's link `#/enrol?org=…&user=…&trust=…` fills in the organisation, user name and trust code.
 */
export function EnrolPage({ route }: { route: Route }) {
  const session = useSession();
  const { client, config, account } = session;
  const [phase, setPhase] = useState<Phase>('form');
  const [fields, setFields] = useState<Fields>(() => ({
    mspId: linkedOrganisation(route, config.organisations),
    enrollmentId: route.params.get('user') ?? '',
    trust: route.params.get('trust') ?? '',
    secret: '',
    password: '',
    confirmPassword: '',
    passphrase: '',
    confirmPassphrase: '',
  }));
  const [problems, setProblems] = useState<string[]>([]);
  const [pending, setPending] = useState<PendingEnrolment | null>(null);
  const pendingRef = useRef<PendingEnrolment | null>(null);
  const [code, setCode] = useState('');
  const [relogin, setRelogin] = useState<string | null>(null);
  const [done, setDone] = useState<ReadonlySet<EnrolStep>>(new Set());
  const [registrationTxId, setRegistrationTxId] = useState<string | undefined>();
  const [saved, setSaved] = useState(false);
  const [status, setStatus] = useState('');
  const [error, setError] = useState<unknown>(null);
  const enrollmentId = fields.enrollmentId.trim();

  // The private key bytes live only as long as this page needs them for the backup.
  useEffect(
    () => () => {
      zero(pendingRef.current);
    },
    [],
  );

  // Leaving before the end would lose keys that exist nowhere else yet.
  const unsaved = phase === 'creating' || phase === 'totp' || phase === 'finishing' || phase === 'incomplete';
  useEffect(() => {
    if (!unsaved) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
    };
    window.addEventListener('beforeunload', warn);
    return () => {
      window.removeEventListener('beforeunload', warn);
    };
  }, [unsaved]);

  const set = (name: keyof Fields) => (value: string) => {
    setFields((f) => ({ ...f, [name]: value }));
  };
  const mark = (...steps: EnrolStep[]) => {
    setDone((d) => new Set([...d, ...steps]));
  };

  function release() {
    zero(pendingRef.current);
    pendingRef.current = null;
    setPending(null);
  }

  async function keepKeys(p: PendingEnrolment): Promise<void> {
    const identity = await importDeviceIdentity({
      mspId: p.keys.mspId,
      enrollmentId,
      userId: p.keys.userId,
      certificatePem: p.certificatePem,
      signingPkcs8: p.signingKeyPkcs8,
      encryptionPkcs8: p.encryptionKeyPkcs8,
      encryptionPublicKeySpki: p.keys.encryption.publicKeySpki,
      trustBundle: p.trustBundle,
    });
    await saveDeviceIdentity(identity);
  }

  async function create(event: SubmitEvent) {
    event.preventDefault();
    const found = problemsOf(fields);
    setProblems(found);
    if (found.length > 0) return;
    setError(null);
    setPhase('creating');
    setStatus(
      `Generating your key pairs in this browser and asking the certificate authority of ${fields.mspId} for your certificate\u2026`,
    );
    rememberOrganisation(fields.mspId);
    try {
      const started = await startEnrolment(client, {
        mspId: fields.mspId,
        enrollmentId,
        secret: fields.secret.trim(),
        password: fields.password,
        trustDigest: fields.trust.trim().toLowerCase(),
      });
      pendingRef.current = started;
      setPending(started);
      setFields((f) => ({ ...f, secret: '', password: '', confirmPassword: '' }));
      mark('keys', 'certificate');
      setPhase('totp');
      setStatus('Certificate issued. Add MedShare to your authenticator app, then enter its code.');
    } catch (e) {
      setError(e);
      setPhase('form');
      setStatus('');
    }
  }

  async function finish(event: SubmitEvent) {
    event.preventDefault();
    if (!pending) return;
    setError(null);
    setPhase('finishing');
    setStatus(
      'Confirming your code, encrypting the backup of your keys (this takes a few seconds) and registering your encryption key on the ledger\u2026',
    );
    let result: { registrationTxId: string | undefined };
    try {
      result = await finishEnrolment(client, pending, {
        code: code.replace(/\s+/g, ''),
        backupPassphrase: fields.passphrase,
      });
    } catch (e) {
      await afterFailedFinish(e, pending);
      return;
    }
    mark('totp', 'backup', 'ledger');
    await conclude(pending, result.registrationTxId);
  }

  /** Everything is on the gateway and the ledger: keep the keys here and say so. */
  async function conclude(p: PendingEnrolment, txId: string | undefined) {
    setRegistrationTxId(txId);
    setStatus('Saving your keys in this browser\u2026');
    try {
      await keepKeys(p);
      setSaved(true);
      setStatus('');
    } catch (e) {
      // The backup is at the gateway, so the keys can still be restored after sign-in.
      setError(e);
      setStatus('You are enrolled, but this browser could not keep your keys.');
    }
    release();
    setFields((f) => ({ ...f, passphrase: '', confirmPassphrase: '' }));
    setPhase('done');
    await session.refresh().catch(setError);
  }

  async function afterFailedFinish(e: unknown, p: PendingEnrolment) {
    setError(e);
    setCode('');
    const now = await client.session().catch(() => undefined);
    if (now?.state !== 'signed-in') {
      if (e instanceof ApiError && e.code === 'NO_PENDING_LOGIN') setRelogin('');
      setPhase('totp');
      setStatus('');
      return;
    }
    // The code is spent and the session open: keep the keys now, then finish what is left.
    mark('totp', ...(now.account?.hasKeyBackup ? (['backup'] as const) : []));
    try {
      await keepKeys(p);
      setStatus('Your keys are saved in this browser, but enrolment is not complete yet.');
    } catch (saveError) {
      setError(saveError);
      setStatus('Your keys could not be saved in this browser yet; keep this page open.');
    }
    setPhase('incomplete');
  }

  async function resume() {
    if (!pending) return;
    setError(null);
    setPhase('finishing');
    setStatus('Storing the encrypted backup and registering your encryption key on the ledger\u2026');
    let result: { registrationTxId: string | undefined };
    try {
      result = await completeEnrolment(client, pending, fields.passphrase);
    } catch (e) {
      setError(e);
      setPhase('incomplete');
      setStatus('');
      return;
    }
    mark('backup', 'ledger');
    await conclude(pending, result.registrationTxId);
  }

  async function signInAgain(event: SubmitEvent) {
    event.preventDefault();
    if (relogin === null) return;
    setError(null);
    try {
      await client.login(fields.mspId, enrollmentId, relogin);
      setRelogin(null);
      setStatus('Password accepted. Enter the current code from your authenticator app.');
    } catch (e) {
      setError(e);
    }
  }

  if (account && phase === 'form') {
    return (
      <div className="auth">
        <h1>Enrol</h1>
        <section>
          <p>
            You are signed in as <strong>{account.enrollmentId}</strong> of <strong>{account.mspId}</strong>.
            To enrol another account, sign out first.
          </p>
          <p>
            <a href={href('/')}>Back to MedShare</a>
          </p>
        </section>
      </div>
    );
  }

  const busy = phase === 'creating' || phase === 'finishing';
  return (
    <div className="auth auth-wide">
      <h1>Enrol</h1>
      {phase !== 'form' && (
        <EnrolProgress
          mspId={fields.mspId}
          done={done}
          active={
            phase === 'creating'
              ? ['keys', 'certificate']
              : phase === 'finishing'
                ? FINISH_STEPS.filter((step) => !done.has(step))
                : []
          }
        />
      )}

      {(phase === 'form' || phase === 'creating') && (
        <section aria-labelledby="enrol-create">
          <h2 id="enrol-create">1. Your account and keys</h2>
          <p className="hint">
            Your operator gave you a user name and a one-time enrolment secret. Your keys are made in this
            browser and never leave it unencrypted.
          </p>
          <form onSubmit={(e) => void create(e)}>
            <div className="grid-2">
              <div>
                <AccountFields
                  idPrefix="enrol"
                  organisations={config.organisations}
                  mspId={fields.mspId}
                  enrollmentId={fields.enrollmentId}
                  onMspIdChange={set('mspId')}
                  onEnrollmentIdChange={set('enrollmentId')}
                />
                <TrustCodeField idPrefix="enrol" value={fields.trust} onChange={set('trust')} />
                <PasswordField
                  id="enrol-secret"
                  label="Enrolment secret"
                  autoComplete="off"
                  hintId="enrol-secret-hint"
                  value={fields.secret}
                  onChange={set('secret')}
                />
                <p className="hint" id="enrol-secret-hint">
                  From your operator. It works once.
                </p>
                <PasswordField
                  id="enrol-password"
                  label="Password"
                  autoComplete="new-password"
                  hintId="enrol-password-hint"
                  value={fields.password}
                  onChange={set('password')}
                />
                <p className="hint" id="enrol-password-hint">
                  At least 12 characters; not a common password.
                </p>
                <PasswordField
                  id="enrol-password2"
                  label="Confirm password"
                  autoComplete="new-password"
                  value={fields.confirmPassword}
                  onChange={set('confirmPassword')}
                  mismatch={fields.confirmPassword !== '' && fields.confirmPassword !== fields.password}
                />
              </div>
              <div>
                <PasswordField
                  id="enrol-passphrase"
                  label="Backup passphrase"
                  autoComplete="off"
                  hintId="enrol-passphrase-hint"
                  value={fields.passphrase}
                  onChange={set('passphrase')}
                />
                <PasswordField
                  id="enrol-passphrase2"
                  label="Confirm backup passphrase"
                  autoComplete="off"
                  value={fields.confirmPassphrase}
                  onChange={set('confirmPassphrase')}
                  mismatch={fields.confirmPassphrase !== '' && fields.confirmPassphrase !== fields.passphrase}
                />
                <div className="hint" id="enrol-passphrase-hint">
                  <p>
                    The backup passphrase encrypts a backup of your keys. The gateway stores the backup but
                    cannot open it. You need the passphrase to use MedShare on another browser or computer, or
                    if this browser&rsquo;s data is cleared.
                  </p>
                  <p>
                    Use at least {MIN_PASSPHRASE} characters, different from your password, and keep it
                    somewhere safe: nobody can reset it for you.
                  </p>
                </div>
              </div>
            </div>
            {problems.length > 0 && (
              <ul className="form-problems" role="alert">
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            )}
            <SubmitRow label="Create my keys" busy={busy} />
          </form>
        </section>
      )}

      {(phase === 'totp' || (phase === 'finishing' && !done.has('totp'))) && pending && (
        <section aria-labelledby="enrol-totp">
          <h2 id="enrol-totp">2. Your authenticator</h2>
          <TotpSetup totp={pending.totp} />
          {relogin !== null ? (
            <form onSubmit={(e) => void signInAgain(e)}>
              <p>Your sign-in expired before the code was confirmed. Enter your password again.</p>
              <PasswordField
                id="enrol-relogin"
                label="Password"
                autoComplete="current-password"
                value={relogin}
                onChange={setRelogin}
              />
              <div className="actions">
                <button type="submit">Continue</button>
              </div>
            </form>
          ) : (
            <form onSubmit={(e) => void finish(e)}>
              <label htmlFor="enrol-code">Authenticator code</label>
              <input
                id="enrol-code"
                className="otp"
                inputMode="numeric"
                autoComplete="one-time-code"
                pattern="[0-9 ]*"
                maxLength={8}
                value={code}
                onChange={(e) => {
                  setCode(e.target.value);
                }}
                required
                autoFocus
              />
              <SubmitRow label="Confirm and finish" busy={busy} />
            </form>
          )}
          <p className="hint">
            Keep this page open until you finish: your new keys exist only in this tab until then.
          </p>
        </section>
      )}

      {(phase === 'incomplete' || (phase === 'finishing' && done.has('totp'))) && (
        <section aria-labelledby="enrol-incomplete">
          <h2 id="enrol-incomplete">Enrolment not finished</h2>
          <p>
            Your authenticator is confirmed and you are signed in, but{' '}
            {done.has('backup')
              ? 'your encryption key is not registered on the ledger yet, so nobody can send you records.'
              : 'the encrypted backup of your keys is not stored yet and your encryption key is not registered on the ledger.'}{' '}
            Keep this page open and retry. If it keeps failing, tell your operator
            {done.has('backup')
              ? '.'
              : ': without the backup, your keys exist only in this browser, and losing them means a new enrolment.'}
          </p>
          <div className="actions">
            <button type="button" onClick={() => void resume()} disabled={busy}>
              Retry the remaining steps
            </button>
          </div>
        </section>
      )}

      {phase === 'done' && (
        <div className="success" role="status">
          <h2>You are enrolled</h2>
          <p>
            {saved
              ? 'Your keys are saved in this browser and cannot be read out of it. '
              : 'This browser could not keep your keys: after you continue, restore them with your backup passphrase. '}
            The encrypted backup is stored at the gateway: restore it with your backup passphrase on another
            browser.
          </p>
          {registrationTxId ? (
            <p>
              Encryption key registered on the ledger in transaction{' '}
              <code data-testid="registration-tx">{registrationTxId}</code>
            </p>
          ) : (
            <p>Your encryption key was already registered on the ledger.</p>
          )}
          <div className="actions">
            <button
              type="button"
              onClick={() => {
                navigate('/');
              }}
            >
              Continue
            </button>
          </div>
        </div>
      )}

      <p className="status" role="status" aria-live="polite">
        {status}
      </p>
      <Refusal error={error} />
      {phase === 'form' && (
        <p>
          <a href={href('/')}>Already enrolled? Sign in</a>
        </p>
      )}
    </div>
  );
}
