import { useState } from 'react';
import { trustBundleDigest, type TrustBundle } from '../../../src/trust/bundle';
import { verifyTrustUpdate } from '../../../src/trust/update';
import { accountKey, loadIdentity, saveIdentity } from '../app/keystore';
import { Refusal } from '../app/refusal';

/**
 * The trust anchors this browser pinned, and a change to them: a trust update
 * file is pinned only if admins of a majority of the organisations this
 * browser already trusts approved it (`TRUST_UPDATE_UNAPPROVED` otherwise).
 * The gateway is not asked: the file proves itself or is refused.
 */
export function TrustAnchors({
  account,
  pinned,
  onPinned,
}: {
  account: { mspId: string; enrollmentId: string };
  pinned: TrustBundle;
  onPinned: () => Promise<void>;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [updated, setUpdated] = useState<string | null>(null);

  async function pin() {
    if (!file) return;
    setBusy(true);
    setError(null);
    setUpdated(null);
    try {
      const next = await verifyTrustUpdate(JSON.parse(await file.text()) as unknown, pinned);
      const identity = await loadIdentity(accountKey(account.mspId, account.enrollmentId));
      if (!identity) throw new Error('this browser holds no keys for your account');
      await saveIdentity({ ...identity, trustBundle: next });
      setUpdated(trustBundleDigest(next));
      await onPinned();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <section aria-labelledby="settings-trust">
      <h2 id="settings-trust">Trust anchors</h2>
      <p className="hint">
        The consortium&rsquo;s organisations and certificate authorities this browser trusts, pinned when you
        enrolled. Your invitations carry this trust code.
      </p>
      <dl className="facts">
        <dt>Consortium</dt>
        <dd data-testid="trust-consortium">{pinned.consortium}</dd>
        <dt>Trust code</dt>
        <dd className="mono" data-testid="pinned-trust-code">
          {trustBundleDigest(pinned)}
        </dd>
      </dl>
      <label htmlFor="trust-update-file">Trust update file</label>
      <input
        id="trust-update-file"
        type="file"
        accept="application/json,.json"
        onChange={(event) => {
          setFile(event.currentTarget.files?.[0] ?? null);
        }}
      />
      <div className="actions">
        <button type="button" className="secondary" disabled={!file || busy} onClick={() => void pin()}>
          Check and pin the update
        </button>
      </div>
      {updated && (
        <p className="success" data-testid="trust-updated">
          Pinned. The new trust code is <span className="mono">{updated}</span>.
        </p>
      )}
      <Refusal error={error} />
    </section>
  );
}
