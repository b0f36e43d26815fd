import { randomBytes } from 'node:crypto';
import { chmod, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { CookieJar } from '../../client/api-client';

/**
 * What the CLI keeps between invocations (mode 0600, beside the key file):
 * the gateway it signed in to and the cookies that carry the session. The
 * CSRF token is not kept: each command asks the gateway for it afresh.
 */
export interface SessionFile {
  v: 1;
  gatewayUrl: string;
  cookies: Record<string, string>;
}

/** The session file of a key file. */
export function sessionPathOf(keyFile: string): string {
  return `${keyFile}.session`;
}

/** Parses a session file's text; `undefined` if it is not one (a damaged file is as good as none). */
export function parseSessionFile(text: string): SessionFile | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof raw !== 'object' || raw === null) return undefined;
  const { v, gatewayUrl, cookies } = raw as Record<string, unknown>;
  if (v !== 1 || typeof gatewayUrl !== 'string' || typeof cookies !== 'object' || cookies === null) {
    return undefined;
  }
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(cookies)) {
    if (typeof value === 'string' && isCookieName(name)) kept[name] = value;
  }
  return { v: 1, gatewayUrl, cookies: kept };
}

/** Reads a session file; `undefined` when there is none or it is unreadable. */
export async function readSessionFile(path: string): Promise<SessionFile | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return undefined;
  }
  return parseSessionFile(text);
}

/** Writes a session file atomically (temporary file, then rename) with mode 0600. */
export async function writeSessionFile(path: string, file: SessionFile): Promise<void> {
  const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${JSON.stringify(file)}\n`, { mode: 0o600, flag: 'wx' });
    await chmod(temporary, 0o600);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
}

/** Deletes a session file; nothing happens if there is none. */
export async function deleteSessionFile(path: string): Promise<void> {
  await rm(path, { force: true });
}

function isCookieName(name: string): boolean {
  return /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,128}$/.test(name);
}

/** One `Set-Cookie` header: the cookie it sets, or that it deletes it. */
export function parseSetCookie(
  line: string,
  now: Date = new Date(),
): { name: string; value: string; expired: boolean } | undefined {
  const [pair = '', ...attributes] = line.split(';');
  const eq = pair.indexOf('=');
  if (eq <= 0) return undefined;
  const name = pair.slice(0, eq).trim();
  const value = pair.slice(eq + 1).trim();
  if (!isCookieName(name)) return undefined;
  let expired = false;
  let maxAgeSeen = false;
  for (const attribute of attributes) {
    const [key = '', ...rest] = attribute.split('=');
    const attrValue = rest.join('=').trim();
    switch (key.trim().toLowerCase()) {
      case 'max-age': {
        // Max-Age wins over Expires (RFC 6265 section 5.3).
        maxAgeSeen = true;
        const seconds = Number(attrValue);
        expired = Number.isFinite(seconds) && seconds <= 0;
        break;
      }
      case 'expires': {
        const at = Date.parse(attrValue);
        if (!maxAgeSeen && !Number.isNaN(at)) expired = at <= now.getTime();
        break;
      }
    }
  }
  return { name, value, expired };
}

/**
 * The CLI's cookie jar: one gateway, so paths and domains do not matter; it
 * remembers whether anything changed so that the file is rewritten only then.
 */
export class FileCookieJar implements CookieJar {
  readonly #cookies: Map<string, string>;
  #changed = false;

  constructor(cookies: Readonly<Record<string, string>> = {}) {
    this.#cookies = new Map(Object.entries(cookies));
  }

  header(): string | undefined {
    if (this.#cookies.size === 0) return undefined;
    return [...this.#cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  }

  update(setCookies: readonly string[]): void {
    for (const line of setCookies) {
      const cookie = parseSetCookie(line);
      if (!cookie) continue;
      if (cookie.expired) {
        this.#changed = this.#cookies.delete(cookie.name) || this.#changed;
      } else if (this.#cookies.get(cookie.name) !== cookie.value) {
        this.#cookies.set(cookie.name, cookie.value);
        this.#changed = true;
      }
    }
  }

  /** Whether a cookie was set, changed or deleted since the jar was made. */
  get changed(): boolean {
    return this.#changed;
  }

  /** The cookies, for the session file. */
  toRecord(): Record<string, string> {
    return Object.fromEntries(this.#cookies);
  }
}
