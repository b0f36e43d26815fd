import type { Logger } from 'pino';
import type { DirectoryEntry } from '../api/wire';
import { federationHeaders, type GatewaySigner } from './request-signature';

/** Where the other organisations' gateways publish their users. */
export const FEDERATION_DIRECTORY_PATH = '/api/federation/directory';

const TIMEOUT_MS = 3_000;
const FRESH_MS = 30_000;

/** Options of {@link FederatedDirectory}. */
export interface FederatedDirectoryOptions {
  /** The other organisations' gateways, by MSP id. */
  peers: Readonly<Record<string, string>>;
  signer: GatewaySigner;
  logger: Logger;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * The other organisations' users, as their gateways list them: each
 * gateway serves only its own organisation's accounts, and asks the others
 * for theirs (signed with its gateway identity) so that its users can find
 * people to send to. Nothing here is trusted by devices: every entry carries
 * the user's certificate, which the device checks against its pinned CA roots
 * and the ledger's registry (`verifyDirectoryEntry`). An organisation whose
 * gateway does not answer keeps its last list for a while, then is left out.
 */
export class FederatedDirectory {
  readonly #options: FederatedDirectoryOptions;
  readonly #cache = new Map<string, { at: number; entries: DirectoryEntry[] }>();

  constructor(options: FederatedDirectoryOptions) {
    this.#options = options;
  }

  /** Every other organisation's listed users. */
  async entries(): Promise<DirectoryEntry[]> {
    const lists = await Promise.all(
      Object.entries(this.#options.peers).map(([mspId, url]) => this.#of(mspId, url)),
    );
    return lists.flat();
  }

  async #of(mspId: string, url: string): Promise<DirectoryEntry[]> {
    const now = (this.#options.now ?? Date.now)();
    const cached = this.#cache.get(mspId);
    if (cached && now - cached.at < FRESH_MS) return cached.entries;
    try {
      const response = await (this.#options.fetch ?? fetch)(new URL(FEDERATION_DIRECTORY_PATH, url), {
        headers: {
          accept: 'application/json',
          ...federationHeaders(this.#options.signer, 'GET', FEDERATION_DIRECTORY_PATH, now),
        },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`answered ${response.status}`);
      const body = (await response.json()) as { users?: DirectoryEntry[] };
      // A gateway speaks for its own organisation only.
      const entries = (body.users ?? []).filter((u) => u.mspId === mspId);
      this.#cache.set(mspId, { at: now, entries });
      return entries;
    } catch (error) {
      this.#options.logger.warn(
        { mspId, err: error },
        'another organisation’s gateway did not list its users',
      );
      return cached && now - cached.at < 10 * FRESH_MS ? cached.entries : [];
    }
  }
}
