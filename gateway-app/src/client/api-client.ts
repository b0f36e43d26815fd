import type { AccountView, DirectoryEntry, SigningAnswer, UploadedContent } from '../api/wire';
import type { SignedCaRequest } from './ca-token';
import type { NetworkHealth } from './network-health';
import type { SigningStage } from './signing-request';

/** A refusal from the gateway: its HTTP status and stable code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly details: Record<string, unknown>;

  constructor(status: number, code: string, message: string, details: Record<string, unknown> = {}) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** Keeps the session cookie where the platform has no cookie store of its own (the CLI). */
export interface CookieJar {
  header(): string | undefined;
  update(setCookies: readonly string[]): void;
}

/** A cookie jar kept in memory, for one client in one process (as a browser tab keeps its cookies). */
export function memoryCookieJar(): CookieJar {
  const cookies = new Map<string, string>();
  return {
    header: () => (cookies.size ? [...cookies].map(([k, v]) => `${k}=${v}`).join('; ') : undefined),
    update(setCookies) {
      for (const line of setCookies) {
        const [pair = ''] = line.split(';');
        const eq = pair.indexOf('=');
        if (eq > 0) cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
      }
    },
  };
}

/** Streams a request body the platform's fetch cannot stream well (the CLI passes node:http). */
export type Uploader = (
  url: string,
  headers: Record<string, string>,
  body: ReadableStream<Uint8Array>,
  length: number,
) => Promise<{ status: number; text: string }>;

/** Options of {@link GatewayClient}. */
export interface GatewayClientOptions {
  fetch?: typeof fetch;
  cookieJar?: CookieJar;
  uploader?: Uploader;
}

export type { AccountView, DirectoryEntry, SigningAnswer, UploadedContent } from '../api/wire';

/** What the device asks of a prepared call besides its function and arguments. */
export interface PrepareOptions {
  transient?: { envelope: Record<string, unknown> } | undefined;
  /** For a read: the organisations whose peers are to endorse the answer. */
  endorsers?: readonly string[] | undefined;
}

interface ErrorBody {
  error?: { code?: string; message?: string; details?: Record<string, unknown> };
}

/**
 * The gateway's HTTP API, for the browser and the CLI alike. It keeps the
 * session's CSRF token and sends it with every state-changing request.
 */
export class GatewayClient {
  readonly baseUrl: string;
  readonly #fetch: typeof fetch;
  readonly #jar: CookieJar | undefined;
  readonly #uploader: Uploader | undefined;
  #csrfToken: string | undefined;

  constructor(baseUrl: string, options: GatewayClientOptions = {}) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#jar = options.cookieJar;
    this.#uploader = options.uploader;
  }

  #headers(json: boolean): Record<string, string> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (json) headers['content-type'] = 'application/json';
    if (this.#csrfToken) headers['x-csrf-token'] = this.#csrfToken;
    const cookie = this.#jar?.header();
    if (cookie) headers.cookie = cookie;
    return headers;
  }

  async #send(method: string, path: string, body?: unknown): Promise<Response> {
    const response = await this.#fetch(`${this.baseUrl}${path}`, {
      method,
      headers: this.#headers(body !== undefined),
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    this.#jar?.update(response.headers.getSetCookie());
    return response;
  }

  /** Sends a JSON request; resolves with the JSON answer or rejects with an {@link ApiError}. */
  async request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await this.#send(method, path, body);
    const text = await response.text();
    if (!response.ok) throw toApiError(response.status, text);
    const answer = (text ? JSON.parse(text) : {}) as T & { csrfToken?: unknown };
    if (typeof answer.csrfToken === 'string') this.#csrfToken = answer.csrfToken;
    return answer;
  }

  /** Starts or resumes a session and learns its CSRF token. */
  async session(): Promise<{ state: string; account?: AccountView }> {
    return this.request('GET', '/api/session');
  }

  /** The trust bundle the gateway serves: the gateway's word, to check against an invitation's digest. */
  async trustBundle(): Promise<unknown> {
    return (await this.request<{ bundle: unknown }>('GET', '/api/trust-bundle')).bundle;
  }

  async login(mspId: string, enrollmentId: string, password: string): Promise<{ state: string }> {
    if (!this.#csrfToken) await this.session();
    return this.request('POST', '/api/session', { mspId, enrollmentId, password });
  }

  async confirmTotp(code: string): Promise<{ state: string; account: AccountView }> {
    return this.request('POST', '/api/session/totp', { code });
  }

  async logout(): Promise<void> {
    await this.request('DELETE', '/api/session');
    this.#csrfToken = undefined;
  }

  async enrol(body: {
    mspId: string;
    enrollmentId: string;
    secret: string;
    csr: string;
    password: string;
    encryptionPublicKey: string;
    keyBackup?: string;
  }): Promise<{
    certificate: string;
    caCertificate: string;
    userId: string;
    totp: { secret: string; uri: string; qrSvg: string };
  }> {
    if (!this.#csrfToken) await this.session();
    return this.request('POST', '/api/enrolments', body);
  }

  async me(): Promise<AccountView> {
    return this.request('GET', '/api/me');
  }

  async keyBackup(): Promise<string | null> {
    return (await this.request<{ keyBackup: string | null }>('GET', '/api/me/key-backup')).keyBackup;
  }

  async directory(filter: { role?: string; mspId?: string } = {}): Promise<DirectoryEntry[]> {
    const query = new URLSearchParams(filter as Record<string, string>).toString();
    return (
      await this.request<{ users: DirectoryEntry[] }>('GET', `/api/directory${query ? `?${query}` : ''}`)
    ).users;
  }

  async deviceCheckNonce(): Promise<{ nonce: string; audience: string; expiresAt: string }> {
    return this.request('POST', '/api/device-checks');
  }

  async verifyDevice(
    report: unknown,
    action: 'login' | 'send' | 'access' | 'breakGlass',
    recordId?: string,
  ): Promise<{ deviceId: string; postureHash: string }> {
    return this.request('POST', '/api/device-checks/verify', {
      report,
      action,
      ...(recordId ? { recordId } : {}),
    });
  }

  async prepare(fn: string, args: readonly string[], options: PrepareOptions = {}): Promise<SigningAnswer> {
    return this.request('POST', '/api/transactions', {
      fn,
      args,
      ...(options.transient ? { transient: options.transient } : {}),
      ...(options.endorsers ? { endorsers: options.endorsers } : {}),
    });
  }

  async sign(id: string, stage: SigningStage, signature: string): Promise<SigningAnswer> {
    return this.request('POST', `/api/transactions/${encodeURIComponent(id)}/signatures`, {
      stage,
      signature,
    });
  }

  /** Uploads ciphertext of exactly `length` bytes. */
  async upload(ciphertext: ReadableStream<Uint8Array>, length: number): Promise<UploadedContent> {
    const url = `${this.baseUrl}/api/content`;
    const headers = { ...this.#headers(false), 'content-type': 'application/octet-stream' };
    if (this.#uploader) {
      const { status, text } = await this.#uploader(url, headers, ciphertext, length);
      if (status < 200 || status >= 300) throw toApiError(status, text);
      return JSON.parse(text) as UploadedContent;
    }
    // `duplex` is in Node's RequestInit but not yet in the DOM library's.
    const init: RequestInit & { duplex: 'half' } = {
      method: 'POST',
      headers,
      body: ciphertext,
      credentials: 'same-origin',
      duplex: 'half',
    };
    const response = await this.#fetch(url, init);
    const text = await response.text();
    if (!response.ok) throw toApiError(response.status, text);
    return JSON.parse(text) as UploadedContent;
  }

  /** Downloads a ciphertext the ledger released to this session. */
  async download(cid: string): Promise<ReadableStream<Uint8Array>> {
    const response = await this.#send('GET', `/api/content/${encodeURIComponent(cid)}`);
    if (!response.ok) throw toApiError(response.status, await response.text());
    if (!response.body) throw new ApiError(502, 'EMPTY_BODY', 'the gateway sent no content');
    return response.body;
  }

  /** Removes a ciphertext this session uploaded whose ledger step failed (no envelope points at it). */
  async discardUpload(cid: string): Promise<void> {
    await this.request('DELETE', `/api/content/${encodeURIComponent(cid)}`);
  }

  async registerUser(
    registration: SignedCaRequest,
  ): Promise<{ accountId: string; enrollmentId: string; secret: string }> {
    return this.request('POST', '/api/operator/users', { registration });
  }

  async registerDevice(registration: SignedCaRequest): Promise<{ enrollmentId: string; secret: string }> {
    return this.request('POST', '/api/operator/devices', { registration });
  }

  async accounts(): Promise<AccountView[]> {
    return (await this.request<{ accounts: AccountView[] }>('GET', '/api/operator/accounts')).accounts;
  }

  async setAccountStatus(accountId: string, status: 'active' | 'suspended'): Promise<AccountView> {
    return this.request('POST', `/api/operator/accounts/${encodeURIComponent(accountId)}/status`, { status });
  }

  /**
   * Asks the gateway to clear the storage of approved erasures now and complete them on the ledger
   * (operators only). What it says is checked on the ledger by the caller (erasure:GetErasure).
   */
  async sweepErasures(): Promise<{ erased: { recordId: string }[]; problems: number }> {
    return this.request('POST', '/api/operator/erasures/sweep', {});
  }

  /** Asks the gateway to check every peer, CA, cluster peer and its database now (operators only). */
  async networkHealth(): Promise<NetworkHealth> {
    return this.request('GET', '/api/operator/health');
  }
}

function toApiError(status: number, text: string): ApiError {
  let body: ErrorBody = {};
  try {
    body = JSON.parse(text) as ErrorBody;
  } catch {
    // Not the gateway's JSON: a proxy or a crash; the status still says enough.
  }
  return new ApiError(
    status,
    body.error?.code ?? `HTTP_${status}`,
    body.error?.message ?? `the gateway answered ${status}`,
    body.error?.details ?? {},
  );
}
