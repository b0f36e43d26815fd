/** The authenticator set-up: the QR code to scan and the same secret to type in by hand. */
export function TotpSetup({ totp }: { totp: { secret: string; uri: string; qrSvg: string } }) {
  return (
    <div className="totp-setup">
      <img
        className="qr"
        alt="QR code for your authenticator app"
        src={'data:image/svg+xml;charset=utf-8,' + encodeURIComponent(totp.qrSvg)}
      />
      <div>
        <p>
          Scan this QR code with your authenticator app (any app for time-based codes). If you cannot scan it,
          add an account by hand with this key:
        </p>
        <p>
          <code className="totp-secret" data-testid="totp-secret">
            {totp.secret}
          </code>
        </p>
        <p className="hint">Time-based, 6 digits, every 30 seconds. Keep this key to yourself.</p>
      </div>
    </div>
  );
}
