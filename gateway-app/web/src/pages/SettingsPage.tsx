import { useEffect, useState } from 'react';
import { certificatePublicKeySpki } from '../../../src/client/csr';
import { checkDevice } from '../../../src/client/flows';
import { accountKey, forgetIdentity } from '../app/keystore';
import { Refusal } from '../app/refusal';
import { href, type Route } from '../app/router';
import { organisationName } from '../../../src/trust/organisation-name';
import { useSignedIn } from '../app/session';
import { TrustAnchors } from '../settings/TrustAnchors';
import { AgentAddressForm } from './auth/AgentAddressForm';
import { shortFingerprint, spkiFingerprint } from './auth/key-checks';
import './auth.css';

interface Fingerprints {
  signing: string;
  encryption: string;
}

async function fingerprintsOf(certificatePem: string, encryptionSpki: string): Promise<Fingerprints> {
  return {
    signing: await spkiFingerprint(certificatePublicKeySpki(certificatePem)),
    encryption: await spkiFingerprint(encryptionSpki),
  };
}

/**
 * The device agent this browser asks, a device check on demand, and the keys
 * this browser holds. A page that sends the user here to fix the agent can
 * add `?return=/its/path` for a way back.
 */
export function SettingsPage({ route }: { route: Route }) {
  const session = useSignedIn();
  const { client, config, account, keys, agent, agentUrl } = session;
  const back = route.params.get('return');
  const returnPath = back?.startsWith('/') && !back.startsWith('//') ? back : null;
  const suggested = config.deviceAgents[account.mspId] ?? config.defaultDeviceAgent;
  const [checking, setChecking] = useState(false);
  const [check, setCheck] = useState<{ deviceId: string; postureHash: string } | null>(null);
  const [checkError, setCheckError] = useState<unknown>(null);
  const [fingerprints, setFingerprints] = useState<Fingerprints | null>(null);
  const [fingerprintError, setFingerprintError] = useState<unknown>(null);
  const [confirming, setConfirming] = useState(false);
  const [forgetError, setForgetError] = useState<unknown>(null);

  const encryptionSpki = account.encryptionPublicKey ?? keys.encryption.publicKeySpki;
  useEffect(() => {
    let current = true;
    fingerprintsOf(keys.signer.certificatePem, encryptionSpki).then(
      (found) => {
        if (current) setFingerprints(found);
      },
      (e: unknown) => {
        if (current) setFingerprintError(e);
      },
    );
    return () => {
      current = false;
    };
  }, [keys.signer.certificatePem, encryptionSpki]);

  async function runCheck() {
    setChecking(true);
    setCheck(null);
    setCheckError(null);
    try {
      setCheck(await checkDevice(client, agent, 'login'));
    } catch (e) {
      setCheckError(e);
    } finally {
      setChecking(false);
    }
  }

  async function forget() {
    setForgetError(null);
    try {
      await forgetIdentity(accountKey(account.mspId, account.enrollmentId));
      await session.refresh();
    } catch (e) {
      setForgetError(e);
    }
  }

  return (
    <div className="settings">
      <h1>Settings</h1>
      <section aria-labelledby="settings-agent">
        <h2 id="settings-agent">Device agent</h2>
        <p className="hint">
          Before each sign-in, send or access, the MedShare device agent on this computer reports its security
          posture to the gateway.
        </p>
        <AgentAddressForm idPrefix="settings" suggested={suggested} asking={agentUrl}>
          <button type="button" className="secondary" onClick={() => void runCheck()} disabled={checking}>
            Check this device
          </button>
        </AgentAddressForm>
        <p className="status" role="status" aria-live="polite">
          {checking ? 'Checking this device\u2026' : ''}
        </p>
        {check && (
          <div className="success" data-testid="device-check">
            <strong>This device passed the check.</strong>
            <dl className="facts">
              <dt>Device</dt>
              <dd className="mono">{check.deviceId}</dd>
              <dt>Posture hash</dt>
              <dd className="mono">{check.postureHash}</dd>
            </dl>
          </div>
        )}
        <Refusal error={checkError} />
        {returnPath && (
          <p>
            <a href={href(returnPath)}>Back to where you were</a>
          </p>
        )}
      </section>

      <section aria-labelledby="settings-browser">
        <h2 id="settings-browser">This browser</h2>
        <dl className="facts">
          <dt>Account</dt>
          <dd>
            {account.enrollmentId} &middot; {account.role} &middot;{' '}
            {organisationName(session.keys.trust, account.mspId)}
          </dd>
          <dt>Ledger user id</dt>
          <dd className="mono">{keys.userId}</dd>
          <dt>Signing key</dt>
          <dd className="mono" data-testid="signing-fingerprint">
            {fingerprints ? shortFingerprint(fingerprints.signing) : '\u2026'}
          </dd>
          <dt>Encryption key</dt>
          <dd className="mono" data-testid="encryption-fingerprint">
            {fingerprints ? shortFingerprint(fingerprints.encryption) : '\u2026'}
          </dd>
          <dt>Key backup</dt>
          <dd>{account.hasKeyBackup ? 'Stored at the gateway (encrypted)' : 'None at the gateway'}</dd>
        </dl>
        <p className="hint">
          Fingerprints are SHA-256 of the public keys, as the ledger&rsquo;s registry shows them. The private
          keys cannot be read out of this browser.
        </p>
        <Refusal error={fingerprintError} />
        {confirming ? (
          <div className="confirm" role="group" aria-labelledby="settings-forget-q">
            <p id="settings-forget-q">
              <strong>Forget your keys on this browser?</strong>{' '}
              {account.hasKeyBackup
                ? 'To use MedShare here again you will need your backup passphrase or your key file.'
                : 'The gateway holds no backup for this account: to use MedShare here again you will need your key file.'}
            </p>
            <div className="actions">
              <button type="button" className="danger" onClick={() => void forget()}>
                Yes, forget my keys
              </button>
              <button
                type="button"
                className="secondary"
                onClick={() => {
                  setConfirming(false);
                }}
                autoFocus
              >
                Cancel
              </button>
            </div>
          </div>
        ) : (
          <div className="actions">
            <button
              type="button"
              className="danger"
              onClick={() => {
                setConfirming(true);
              }}
            >
              Forget my keys on this browser
            </button>
          </div>
        )}
        <Refusal error={forgetError} />
      </section>

      <TrustAnchors account={account} pinned={keys.trust} onPinned={() => session.refresh()} />
    </div>
  );
}
