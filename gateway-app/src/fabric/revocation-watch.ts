import type { Logger } from 'pino';
import { repeatEvery, type Repeating } from '../repeat';
import { RevocationList } from '../trust/revocations';
import { organisationCrlsOf } from './channel-crls';

/** What {@link RevocationWatch} reads and checks. */
export interface RevocationWatchOptions {
  /**
   * The channel configuration, read with each of the gateway's service
   * identities in turn (`Ledger.channelConfig` of each organisation served).
   */
  readers: readonly (() => Promise<Uint8Array>)[];
  /** The gateway's own service certificates (PEM). */
  ownCertificates: readonly string[];
  /** How often to read the configuration again. */
  intervalMs: number;
  logger: Logger;
}

/** What peers say when they refuse a creator, a revoked one among them. */
const CREATOR_REFUSED = /access denied: channel \[[^\]]*\] creator org/;

/**
 * The CRLs of the channel's organisations, read from the channel
 * configuration (where `network revoke` puts them) every `intervalMs`, so the
 * gateway ends the sessions of revoked users and refuses revoked devices
 * within one interval of the peers doing so. It also notices its own
 * revocation, by its certificate on a CRL or by the peers refusing it, and
 * then the gateway stops serving: a revoked gateway's attestations are
 * refused on the ledger anyway.
 */
export class RevocationWatch {
  #list = RevocationList.empty();
  #revokedSelf = false;
  #repeating: Repeating | undefined;
  readonly #options: RevocationWatchOptions;

  constructor(options: RevocationWatchOptions) {
    this.#options = options;
  }

  /** Whether `certificatePem`'s CA has revoked it, as of the last reading. */
  isRevoked(certificatePem: string): boolean {
    return this.#list.isRevoked(certificatePem);
  }

  /** Whether the gateway's own identity is revoked or refused by the peers. */
  gatewayRevoked(): boolean {
    return this.#revokedSelf;
  }

  /** Reads the configuration once now. */
  async refresh(): Promise<void> {
    const refused: string[] = [];
    for (const read of this.#options.readers) {
      let bytes: Uint8Array;
      try {
        bytes = await read();
      } catch (error) {
        const message = errorText(error);
        if (CREATOR_REFUSED.test(message)) {
          refused.push(message);
          continue;
        }
        this.#options.logger.warn({ err: message }, 'could not read the channel configuration for CRLs');
        return;
      }
      const list = await RevocationList.of(organisationCrlsOf(bytes));
      for (const ignored of list.ignored) {
        this.#options.logger.warn(ignored, 'a CRL in the channel configuration was ignored');
      }
      this.#list = list;
      break;
    }
    const revoked = refused.length > 0 || this.#options.ownCertificates.some((c) => this.#list.isRevoked(c));
    if (revoked && !this.#revokedSelf) {
      this.#options.logger.error(
        'this gateway\u2019s identity is revoked or refused by the peers; it stops serving',
      );
    }
    this.#revokedSelf = revoked;
  }

  /** Reads now, then every interval, until {@link stop}. */
  async start(): Promise<void> {
    await this.refresh();
    this.#repeating = repeatEvery(this.#options.intervalMs, () => this.refresh());
  }

  stop(): void {
    this.#repeating?.stop();
  }
}

function errorText(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const details = (error as { details?: { message?: string }[] }).details ?? [];
  return [error.message, ...details.map((d) => d.message ?? '')].join('\n');
}
