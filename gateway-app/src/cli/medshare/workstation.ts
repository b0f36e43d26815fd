import { access } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ApiError, GatewayClient } from '../../client/api-client';
import { httpDeviceAgent, type DeviceAgent, type DeviceKeys } from '../../client/flows';
import { deviceKeysOf, loadKeyFile, type KeyFile } from '../key-file';
import { nodeUploader } from '../node-uploader';
import { CliError, UsageError } from './errors';
import type { Sink } from './output';
import type { Terminal } from './prompt';
import {
  FileCookieJar,
  deleteSessionFile,
  readSessionFile,
  sessionPathOf,
  writeSessionFile,
} from './session-file';

/** What every command runs with: the environment, the terminal and stdout. */
export interface Runtime {
  env: Readonly<Record<string, string | undefined>>;
  terminal: Terminal;
  out: Sink;
  /** Resolves when a long-running command (`dicom receive`) is to stop; SIGINT or SIGTERM by default. */
  untilStopped?: () => Promise<void>;
}

/** Options every command takes. */
export interface CommonOptions {
  keyFile?: string;
  json?: boolean;
}

/** The default key file, relative to the working directory. */
export const DEFAULT_KEY_FILE = 'medshare-key.json';
/** Where the device agent listens unless told. */
export const DEFAULT_AGENT_URL = 'http://127.0.0.1:7391';

/** An environment variable's value; an empty one counts as unset. */
export function envValue(env: Runtime['env'], name: string): string | undefined {
  const value = env[name];
  return value === '' ? undefined : value;
}

/** The key file a command uses: `--key-file`, else `$MEDSHARE_KEY_FILE`, else `./medshare-key.json`. */
export function keyFilePathOf(option: string | undefined, env: Runtime['env']): string {
  return resolve(option ?? envValue(env, 'MEDSHARE_KEY_FILE') ?? DEFAULT_KEY_FILE);
}

/** The device agent a command asks: `--agent`, else `$MEDSHARE_DEVICE_AGENT`, else loopback port 7391. */
export function deviceAgentOf(option: string | undefined, env: Runtime['env']): DeviceAgent {
  return httpDeviceAgent(option ?? envValue(env, 'MEDSHARE_DEVICE_AGENT') ?? DEFAULT_AGENT_URL);
}

/** Reads the key file; a missing or malformed one is a usage error. */
export async function readKeyFile(path: string): Promise<KeyFile> {
  try {
    await access(path);
  } catch {
    throw new UsageError(
      `no key file at ${path}: run medshare enrol, or give --key-file FILE`,
      'NO_KEY_FILE',
    );
  }
  try {
    return await loadKeyFile(path);
  } catch (error) {
    throw new UsageError((error as Error).message, 'KEY_FILE_INVALID');
  }
}

/** How much of a session a command needs. */
export type SessionNeed = 'signed-in' | 'any';

/**
 * This workstation's identity for one command: the key file, the session
 * file beside it, and a gateway client whose cookies are that session.
 */
export class Workstation {
  readonly keyFilePath: string;
  readonly sessionPath: string;
  readonly keyFile: KeyFile;
  readonly client: GatewayClient;
  /** Whether a session file for this key file's gateway was found. */
  readonly hasSession: boolean;
  readonly #jar: FileCookieJar;
  #forgotten = false;
  #keys: Promise<DeviceKeys> | undefined;

  private constructor(keyFilePath: string, keyFile: KeyFile, jar: FileCookieJar, hasSession: boolean) {
    this.keyFilePath = keyFilePath;
    this.hasSession = hasSession;
    this.sessionPath = sessionPathOf(keyFilePath);
    this.keyFile = keyFile;
    this.#jar = jar;
    this.client = new GatewayClient(keyFile.gatewayUrl, { cookieJar: jar, uploader: nodeUploader });
  }

  /**
   * Opens the key file and its session. With `need: 'signed-in'` it asks the
   * gateway for the session's state (and CSRF token) and refuses with
   * `NOT_SIGNED_IN` unless both factors were passed for this key file's account.
   */
  static async open(options: CommonOptions, runtime: Runtime, need: SessionNeed): Promise<Workstation> {
    const path = keyFilePathOf(options.keyFile, runtime.env);
    const keyFile = await readKeyFile(path);
    const saved = await readSessionFile(sessionPathOf(path));
    const usable = saved?.gatewayUrl === keyFile.gatewayUrl;
    const station = new Workstation(path, keyFile, new FileCookieJar(usable ? saved.cookies : {}), usable);
    if (need === 'signed-in') {
      if (!usable) throw notSignedIn();
      const session = await station.client.session();
      const account = session.account;
      if (
        session.state !== 'signed-in' ||
        account?.mspId !== keyFile.mspId ||
        account.enrollmentId !== keyFile.enrollmentId
      ) {
        await station.forget();
        throw notSignedIn();
      }
    }
    return station;
  }

  /** The signing and encryption keys, imported once. */
  keys(): Promise<DeviceKeys> {
    this.#keys ??= deviceKeysOf(this.keyFile);
    return this.#keys;
  }

  /** Refuses unless the key file is an operator's (role admin). */
  requireOperator(): void {
    if (this.keyFile.role !== 'admin') {
      throw new CliError('OPERATORS_ONLY', 'only organisation operators (role admin) may do this');
    }
  }

  /** Saves the session's cookies if they changed (a login, a regenerated session). */
  async persist(): Promise<void> {
    if (this.#forgotten || !this.#jar.changed) return;
    await writeSessionFile(this.sessionPath, {
      v: 1,
      gatewayUrl: this.keyFile.gatewayUrl,
      cookies: this.#jar.toRecord(),
    });
  }

  /** Deletes the session file (and keeps it deleted for this command). */
  async forget(): Promise<void> {
    this.#forgotten = true;
    await deleteSessionFile(this.sessionPath);
  }

  /**
   * Runs a command's work, then keeps the session: saved if its cookies
   * changed, deleted if the gateway ended it (signed out, expired or suspended).
   */
  async run<T>(work: (station: Workstation) => Promise<T>): Promise<T> {
    try {
      return await work(this);
    } catch (error) {
      if (
        error instanceof ApiError &&
        ['NOT_SIGNED_IN', 'SESSION_EXPIRED', 'ACCOUNT_SUSPENDED'].includes(error.code)
      ) {
        await this.forget();
      }
      throw error;
    } finally {
      await this.persist();
    }
  }
}

function notSignedIn(): CliError {
  return new CliError('NOT_SIGNED_IN', 'run medshare login');
}

/** Opens the workstation and runs `work` in it (see {@link Workstation.run}). */
export async function withWorkstation<T>(
  options: CommonOptions,
  runtime: Runtime,
  need: SessionNeed,
  work: (station: Workstation) => Promise<T>,
): Promise<T> {
  const station = await Workstation.open(options, runtime, need);
  return station.run(work);
}
