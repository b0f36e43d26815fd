import { useEffect, type ReactNode } from 'react';
import { ApiError } from '../../../src/client/api-client';
import { CertificateMismatchError } from '../../../src/client/certificate-check';
import { UnverifiedAnswerError } from '../../../src/client/endorsement-check';
import { KeyBindingError, KeyMismatchError } from '../../../src/client/key-binding';
import { KeyBackupError } from '../../../src/client/key-backup';
import { SigningRequestError } from '../../../src/client/signing-request';
import { DeidentifyError } from '../../../src/deidentify/errors';
import { TrustBundleError } from '../../../src/trust/bundle';
import { useOptionalSession } from './session';

/** A refusal as the page shows it: what happened, why, and what to do next. */
export interface Explained {
  code: string;
  title: string;
  reason: string;
  next: string;
  /** The ledger transaction that recorded the refusal, when there is one. */
  ledgerTxId?: string;
}

const ADVICE: Record<string, [title: string, next: string]> = {
  INVALID_CREDENTIALS: ['Sign-in refused', 'Check the organisation, user name and password, then try again.'],
  TOTP_INVALID: ['Wrong or expired code', 'Enter the current 6-digit code from your authenticator app.'],
  TOTP_REPLAYED: ['Code already used', 'Wait for the next code in your authenticator app (at most 30 s).'],
  TOO_MANY_ATTEMPTS: ['Too many attempts', 'Wait a few minutes before trying again.'],
  RATE_LIMITED: ['Too many requests', 'Wait a minute before trying again.'],
  ACCOUNT_SUSPENDED: ['Account suspended', 'Ask your organisation\u2019s operator to reactivate it.'],
  NOT_SIGNED_IN: ['Session ended', 'Your session expired or was closed. Sign in again.'],
  SESSION_EXPIRED: ['Session ended', 'Your session expired or was closed. Sign in again.'],
  NO_PENDING_LOGIN: ['Sign-in expired', 'Start again with your password.'],
  CSRF_TOKEN_INVALID: ['Session out of date', 'Reload the page and sign in again.'],
  DEVICE_CHECK_FAILED: [
    'Device check failed',
    'Fix what the reason names, or use a device your organisation enrolled (check the device agent address), then retry.',
  ],
  DEVICE_CHECK_REQUIRED: [
    'Device check needed',
    'Retry: the page runs the device check before each send or access.',
  ],
  DEVICE_AGENT_UNREACHABLE: [
    'No device agent',
    'Start the MedShare device agent on this computer, or set its address under Settings.',
  ],
  DEVICE_AGENT_REFUSED: [
    'Device agent refused',
    'Check that the device agent is enrolled and allows this gateway.',
  ],
  ACCESS_DENIED: [
    'Access refused',
    'You have no current grant for this record. Ask the patient for access; in an emergency use break-glass.',
  ],
  RECIPIENT_INACTIVE: [
    'Recipient unavailable',
    'The recipient\u2019s account is not active. Choose someone else.',
  ],
  PAYLOAD_TOO_LARGE: ['File too large', 'Send fewer or smaller files at a time.'],
  BURNED_IN_ANNOTATION: [
    'Cannot de-identify this image',
    'Its pixels show identifying text, which de-identification does not remove. Nothing was sent. Remove the file, or send it without de-identification to someone entitled to see it.',
  ],
  NOT_DICOM: [
    'Cannot de-identify this file',
    'Only DICOM files can be de-identified. Nothing was sent. Remove the other files, or send without de-identification.',
  ],
  STORAGE_UNAVAILABLE: [
    'Storage unavailable',
    'The encrypted store did not answer. Nothing was recorded; retry later.',
  ],
  STORAGE_REPLICATION_TIMEOUT: [
    'Not replicated in time',
    'The ciphertext could not be replicated to enough hospitals. Nothing was recorded; retry later.',
  ],
  LEDGER_UNAVAILABLE: ['Ledger unavailable', 'The network did not answer. Retry in a moment.'],
  LEDGER_TIMEOUT: ['Ledger timed out', 'The network was too slow. Check the record list before retrying.'],
  KEY_BACKUP_UNREADABLE: ['Backup not opened', 'Check the passphrase you chose when you enrolled.'],
  WEAK_PASSWORD: ['Password too weak', 'Choose a longer password that is not common or repetitive.'],
  ENROLMENT_REFUSED: [
    'Enrolment refused',
    'Check the enrolment secret your operator gave you; it works once.',
  ],
  KEY_MISMATCH: [
    'These keys are another account\u2019s',
    'Use the backup or key file of the account you signed in as.',
  ],
  KEY_FILE_INVALID: [
    'Not a MedShare key file',
    'Choose the .json key file the command line or the demo made for you.',
  ],
  NO_KEY_BACKUP: ['No key backup stored', 'Import your key file, or ask your operator to enrol you again.'],
  NOT_ENROLLED: [
    'Enrolment not finished',
    'Finish enrolment first: sign in and complete the remaining steps.',
  ],
  ROLE_MISMATCH: ['Not for your role', 'This action belongs to another role; ask a colleague who holds it.'],
  CANNOT_SUSPEND_SELF: ['Not allowed', 'Ask another operator to suspend this account.'],
  SIGNING_REQUEST_MISMATCH: [
    'Refused by this device',
    'The gateway asked this device to sign something other than what you asked for; nothing was signed. Tell your organisation\u2019s operator: the gateway may be compromised.',
  ],
  TRUST_BUNDLE_MISMATCH: [
    'Gateway not trusted by this device',
    'The gateway named other certificate authorities or another network than your invitation\u2019s trust code; nothing was sent. Check the code with your operator; if it is right, the gateway may be compromised.',
  ],
  TRUST_BUNDLE_INVALID: [
    'Gateway not trusted by this device',
    'The gateway\u2019s description of the network is malformed; nothing was sent. Tell your organisation\u2019s operator.',
  ],
  ANSWER_UNVERIFIED: [
    'Answer refused by this device',
    'The gateway\u2019s answer is not what the consortium\u2019s peers signed, or lacks their signatures; nothing was sent or saved. Tell your organisation\u2019s operator: the gateway may be compromised.',
  ],
  COMMIT_UNVERIFIED: [
    'Not confirmed by the network',
    'The gateway said this was recorded, but the peers\u2019 proof is missing or says otherwise. Check the record list before retrying, and tell your organisation\u2019s operator.',
  ],
  TRUST_UPDATE_UNAPPROVED: [
    'Trust update refused',
    'Not enough organisations\u2019 admins approved this change for this browser to trust it; nothing was changed. Ask your operator for the fully approved file.',
  ],
  TRUST_BUNDLE_MISSING: [
    'This device pinned no trust anchors',
    'Restore your keys from a backup or key file made after enrolment with a trust code, or enrol again.',
  ],
  KEY_BINDING_INVALID: [
    'Recipient\u2019s key refused by this device',
    'The encryption key the ledger holds for this person is not signed by their own key, so someone else may hold it; nothing was encrypted for it or sent. Tell your organisation\u2019s operator.',
  ],
  REGISTERED_KEY_MISMATCH: [
    'Your key on the ledger is not this device\u2019s',
    'Records sent to you would be wrapped for a key you do not hold. Tell your organisation\u2019s security officer before using this account.',
  ],
  CERT_MISMATCH: [
    'Certificate refused by this device',
    'The certificate the gateway returned is not for the keys this browser made; nothing was saved. Tell your organisation\u2019s operator before enrolling again.',
  ],
};

/** Explains any error the pages meet; unknown errors still get a reason and a next step. */
export function explain(error: unknown): Explained {
  if (error instanceof KeyBackupError) {
    const [title, next] = ADVICE.KEY_BACKUP_UNREADABLE ?? ['', ''];
    return { code: error.code, title, reason: error.message, next };
  }
  if (
    error instanceof SigningRequestError ||
    error instanceof CertificateMismatchError ||
    error instanceof TrustBundleError ||
    error instanceof UnverifiedAnswerError ||
    error instanceof KeyBindingError ||
    error instanceof KeyMismatchError ||
    error instanceof DeidentifyError
  ) {
    const [title, next] = ADVICE[error.code] ?? ['', ''];
    return { code: error.code, title, reason: error.message, next };
  }
  if (error instanceof ApiError) {
    const [title, next] = ADVICE[error.code] ?? [
      error.status >= 500 ? 'The system could not finish' : 'Request refused',
      error.status >= 500
        ? 'Retry in a moment; if it persists, tell your operator.'
        : 'Check what you entered.',
    ];
    const violations = Array.isArray(error.details.violations)
      ? (error.details.violations as { message?: unknown }[])
          .map((v) => (typeof v.message === 'string' ? v.message : ''))
          .filter(Boolean)
      : [];
    const reason = [error.message, ...violations].join('; ');
    const tx = error.details.refusalTxId ?? error.details.txId;
    return {
      code: error.code,
      title,
      reason,
      next,
      ...(typeof tx === 'string' ? { ledgerTxId: tx } : {}),
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    code: 'ERROR',
    title: 'Something went wrong',
    reason: message,
    next: 'Retry; if it persists, tell your operator.',
  };
}

/** Refusals that mean the gateway has ended this page's session: the page offers to sign in again. */
const SESSION_ENDED = new Set([
  'NOT_SIGNED_IN',
  'SESSION_EXPIRED',
  'ACCOUNT_SUSPENDED',
  'CSRF_TOKEN_INVALID',
]);

/**
 * Shows a refusal with its reason and next step; announced to screen readers. A refusal that
 * means the gateway has ended a session the page still shows is reported to the session
 * instead, and the page shows it once ({@link SessionEndedNotice}) rather than in every section.
 */
export function Refusal({ error }: { error: unknown }) {
  const session = useOptionalSession();
  const present = error !== null && error !== undefined;
  const code = present ? explain(error).code : '';
  const sessionEnded = present && session?.state === 'signed-in' && SESSION_ENDED.has(code);
  const markEnded = session?.markEnded;
  useEffect(() => {
    if (sessionEnded) markEnded?.(error);
  }, [sessionEnded, markEnded, error]);
  if (!present || sessionEnded) return null;
  return <RefusalBox error={error} />;
}

/** The page-level notice that the gateway has ended this session, with the way back to sign-in. */
export function SessionEndedNotice({ error }: { error: unknown }) {
  const session = useOptionalSession();
  return (
    <RefusalBox error={error}>
      <button type="button" onClick={() => void session?.refresh()}>
        Sign in again
      </button>
    </RefusalBox>
  );
}

function RefusalBox({ error, children }: { error: unknown; children?: ReactNode }) {
  const e = explain(error);
  return (
    <div className="refusal" role="alert" data-code={e.code}>
      <strong>{e.title}</strong> <code>{e.code}</code>
      <p className="reason">{e.reason}</p>
      <p className="next">{e.next}</p>
      {e.ledgerTxId && (
        <p className="ledger">
          Recorded on the ledger: <code>{e.ledgerTxId}</code>
        </p>
      )}
      {children}
    </div>
  );
}
