import { generateSecret, generateSync, verifySync } from 'otplib';
import { toDataURL, toString as toQrString } from 'qrcode';
import { AuthError } from './errors';

/** Seconds per TOTP time step. */
export const TOTP_PERIOD = 30;
/** Digits of a TOTP code. */
export const TOTP_DIGITS = 6;
/** Bytes of a new TOTP secret (160 bits, as RFC 4226 recommends for HMAC-SHA1). */
export const TOTP_SECRET_BYTES = 20;

/** What an authenticator app needs to add the account: the URI, also as a QR code. */
export interface TotpEnrolment {
  /** Base32, no padding: for users who type it in rather than scan. */
  secret: string;
  /** `otpauth://totp/MedShare:<label>?secret=...&issuer=MedShare&algorithm=SHA1&digits=6&period=30` */
  uri: string;
  /** The URI as a QR code, a standalone SVG document. */
  qrSvg: string;
  /** The URI as a QR code, a `data:image/png;base64,` URL. */
  qrDataUrl: string;
}

/**
 * The outcome of {@link TotpService.verify}: the time step the code belongs to, to record as the last
 * accepted one, or why the code is refused.
 *
 * - `MALFORMED`: not 6 digits.
 * - `WRONG`: not the code of the previous, current or next time step.
 * - `REPLAYED`: the code of a step at or before the last accepted one: used already, or older than one
 *   that was.
 */
export type TotpVerification =
  { ok: true; step: number } | { ok: false; reason: 'MALFORMED' | 'WRONG' | 'REPLAYED' };

/** Options of {@link TotpService}. */
export interface TotpServiceOptions {
  /** The issuer shown in authenticator apps (default `MedShare`). */
  issuer?: string;
  /** The clock used when a method is given no time (default the system clock). */
  now?: () => Date;
}

const CODE = /^[0-9]{6}$/;
const BASE32_SECRET = /^[A-Z2-7]{26,103}$/;

/**
 * Time-based one-time passwords (RFC 6238: HMAC-SHA1, 6 digits, 30 s steps), the second factor of a
 * login, with otplib. A code is accepted one step either side of now, to allow for clock drift and the
 * time taken to type it, and never twice: the caller passes the last accepted step and records the new
 * one atomically (`AccountStore.acceptTotpStep`).
 */
export class TotpService {
  readonly #issuer: string;
  readonly #now: () => Date;

  constructor(options: TotpServiceOptions = {}) {
    this.#issuer = options.issuer ?? 'MedShare';
    this.#now = options.now ?? (() => new Date());
  }

  /** A new random secret of {@link TOTP_SECRET_BYTES} bytes, base32 without padding. */
  newSecret(): string {
    return generateSecret({ length: TOTP_SECRET_BYTES });
  }

  /**
   * The provisioning URI and its QR codes for a secret.
   *
   * @param accountLabel - how the app names the account, such as `HospitalAMSP/dr.jones`.
   */
  async enrolment(secret: string, accountLabel: string): Promise<TotpEnrolment> {
    assertSecret(secret);
    if (accountLabel.length === 0 || accountLabel.length > 200) {
      throw new AuthError('INVALID_ARGUMENT', 'the TOTP account label must have 1 to 200 characters');
    }
    // Built by hand rather than with otplib's generateURI, which leaves ":" in the label unescaped and
    // drops the algorithm, digits and period when they are the defaults.
    const issuer = encodeURIComponent(this.#issuer);
    const uri =
      `otpauth://totp/${issuer}:${encodeURIComponent(accountLabel)}?secret=${secret}&issuer=${issuer}` +
      `&algorithm=SHA1&digits=${TOTP_DIGITS}&period=${TOTP_PERIOD}`;
    const qr = { errorCorrectionLevel: 'M', margin: 2 } as const;
    const [qrSvg, qrDataUrl] = await Promise.all([
      toQrString(uri, { ...qr, type: 'svg' }),
      toDataURL(uri, { ...qr, type: 'image/png', scale: 6 }),
    ]);
    return { secret, uri, qrSvg, qrDataUrl };
  }

  /**
   * Checks a code typed by the user (spaces ignored) at `now`.
   *
   * @param lastAcceptedStep - the step of the last code accepted for this secret, or `null` if none was.
   * @throws {@link AuthError} `INVALID_ARGUMENT` when the secret is not a base32 secret of 16 bytes or more.
   */
  verify(
    secret: string,
    code: string,
    lastAcceptedStep: number | null,
    now: Date = this.#now(),
  ): TotpVerification {
    assertSecret(secret);
    const token = code.replace(/\s/g, '');
    if (!CODE.test(token)) return { ok: false, reason: 'MALFORMED' };
    const epoch = epochOf(now);
    const current = Math.floor(epoch / TOTP_PERIOD);
    const latest = current + 1;
    const options = { secret, token, epoch, epochTolerance: TOTP_PERIOD };
    const last = lastAcceptedStep === null || lastAcceptedStep < 0 ? undefined : Math.floor(lastAcceptedStep);
    // otplib refuses an afterTimeStep beyond the window; then no step in the window can be fresh.
    if (last === undefined || last < latest) {
      const fresh = verifySync(last === undefined ? options : { ...options, afterTimeStep: last });
      if (fresh.valid) return { ok: true, step: current + fresh.delta };
    }
    return verifySync(options).valid ? { ok: false, reason: 'REPLAYED' } : { ok: false, reason: 'WRONG' };
  }

  /** The code of the time step containing `now`: for demonstrations and tests. */
  currentCode(secret: string, now: Date = this.#now()): string {
    assertSecret(secret);
    return generateSync({ secret, epoch: epochOf(now) });
  }

  /** The time step containing `now`. */
  stepAt(now: Date = this.#now()): number {
    return Math.floor(epochOf(now) / TOTP_PERIOD);
  }
}

function epochOf(now: Date): number {
  return Math.floor(now.getTime() / 1000);
}

function assertSecret(secret: string): void {
  if (!BASE32_SECRET.test(secret)) {
    throw new AuthError('INVALID_ARGUMENT', 'a TOTP secret must be base32 without padding, 16 to 64 bytes');
  }
}
