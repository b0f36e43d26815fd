import { z } from 'zod';

/** Everything the gateway needs to start, read and validated once. */
export interface Config {
  /** Loopback address and port to listen on. */
  host: string;
  port: number;
  /** The origin browsers use (for CSRF, cookies and device-report audience). */
  publicOrigin: string;
  /** The running network's plan (`network.json` written by `network up`). */
  networkPlanFile: string;
  /** The gateway's SQLite database file (accounts, sessions, devices, lockouts). */
  databaseFile: string;
  /** Signs session cookies; at least 32 characters. */
  sessionSecret: string;
  /** Seals TOTP secrets at rest: 32 bytes. */
  totpKey: Buffer;
  /** A JSON file with the device policy; absent means the default policy. */
  devicePolicyFile: string | undefined;
  /** Where users' device agents listen (the page asks them for posture reports). */
  deviceAgentOrigins: string[];
  /** The device agent to suggest to each organisation's users (`GATEWAY_DEVICE_AGENTS=Org1MSP=http://…,…`). */
  deviceAgents: Record<string, string>;
  /** The built web UI; by default `web/dist` beside the gateway's `dist`. */
  webRoot: string | undefined;
  maxUploadBytes: number;
  sessionIdleSeconds: number;
  sessionAbsoluteSeconds: number;
  /** Login and enrolment requests one address may make per window. */
  loginRateLimit: { limit: number; windowSeconds: number };
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /**
   * How often the gateway reads the CRLs in the channel configuration
   * (`GATEWAY_REVOCATION_POLL_MS`, default 5 s): a revoked user's session ends,
   * and a revoked gateway stops, within that time of `network revoke`.
   */
  revocationPollMs: number;
  /** How often stale login-throttle rows and used attestation nonces are pruned (`GATEWAY_HOUSEKEEPING_SECONDS`, default 10 minutes). */
  housekeepingSeconds: number;
  /**
   * The one organisation (MSP id or key, `GATEWAY_ORGANISATION`, required)
   * whose gateway this is: it loads only that organisation's credentials
   * (gateway identity, peer TLS client pair, CA, storage credentials) and
   * serves only its users. Undefined when the setting is `*`: every peer
   * organisation of the plan, which only development and tests may want.
   */
  organisation: string | undefined;
  /** The other organisations' gateways (`GATEWAY_PEER_GATEWAYS=Org2MSP=http://…,…`), whose directories this one lists. */
  peerGateways: Record<string, string>;
}

/** Thrown when settings are missing or invalid; its message lists every one. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly code = 'INVALID_CONFIG';
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super(`the gateway's configuration is incomplete:\n  ${problems.join('\n  ')}`);
    this.problems = problems;
  }
}

const LOOPBACK = ['127.0.0.1', '::1', 'localhost'];
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

/** `MSPID=URL,MSPID=URL`: one URL per organisation. */
const MSP_URL_PAIRS = z
  .string()
  .default('')
  .transform((v) => v.split(',').filter((pair) => pair.trim() !== ''))
  .pipe(
    z.array(
      z
        .string()
        .regex(/^\s*[A-Za-z0-9.-]+=https?:\/\/\S+\s*$/, 'must be MSPID=URL pairs separated by commas'),
    ),
  );

const schema = z.object({
  GATEWAY_HOST: z
    .string()
    .default('127.0.0.1')
    .refine((h) => LOOPBACK.includes(h), 'must be a loopback address (put a TLS proxy in front for others)'),
  GATEWAY_PORT: int(1, 65535),
  GATEWAY_PUBLIC_ORIGIN: z.url().optional(),
  GATEWAY_NETWORK_PLAN: z.string().min(1),
  GATEWAY_DATABASE: z.string().min(1),
  GATEWAY_SESSION_SECRET: z.string().min(32),
  GATEWAY_TOTP_KEY: z
    .string()
    .refine((v) => Buffer.from(v, 'base64').length === 32, 'must be 32 bytes in base64'),
  GATEWAY_DEVICE_POLICY: z.string().min(1).optional(),
  GATEWAY_DEVICE_AGENT_ORIGINS: z
    .string()
    .default('http://127.0.0.1:7391')
    .transform((v) => v.split(',').map((o) => o.trim()))
    .pipe(z.array(z.url())),
  GATEWAY_DEVICE_AGENTS: MSP_URL_PAIRS,
  GATEWAY_ORGANISATION: z
    .string()
    .regex(
      /^([A-Za-z0-9][A-Za-z0-9.-]{0,63}|\*)$/,
      'must be the MSP id (or key) of the organisation this gateway belongs to, or * (every organisation: development and tests only)',
    ),
  GATEWAY_PEER_GATEWAYS: MSP_URL_PAIRS,
  GATEWAY_WEB_ROOT: z.string().min(1).optional(),
  GATEWAY_MAX_UPLOAD_BYTES: int(1, 64 * 2 ** 30).default(2 * 2 ** 30),
  GATEWAY_SESSION_IDLE_SECONDS: int(60, 86_400).default(15 * 60),
  GATEWAY_SESSION_ABSOLUTE_SECONDS: int(300, 7 * 86_400).default(8 * 3600),
  GATEWAY_LOGIN_RATE_LIMIT: int(1, 100_000).default(30),
  GATEWAY_LOGIN_RATE_WINDOW_SECONDS: int(1, 86_400).default(300),
  GATEWAY_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  GATEWAY_REVOCATION_POLL_MS: int(200, 3_600_000).default(5000),
  GATEWAY_HOUSEKEEPING_SECONDS: int(10, 86_400).default(600),
});

/** The settings {@link loadConfig} reads, for documentation and `--help`. */
export const SETTINGS = Object.keys(schema.shape);

/**
 * Reads the gateway's settings from `env` (normally `process.env`, read here
 * and nowhere else) and validates them all at once.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const parsed = schema.safeParse(
    Object.fromEntries(SETTINGS.map((k) => [k, env[k] === '' ? undefined : env[k]])),
  );
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = String(i.path[0]);
        // zod leaves `input` out of issues, so "missing" is judged from the settings themselves.
        return `${name}: ${env[name] === undefined || env[name] === '' ? 'missing' : i.message}`;
      }),
    );
  }
  const s = parsed.data;
  const byOrganisation = (pairs: readonly string[]) =>
    Object.fromEntries(
      pairs.map((pair) => {
        const [mspId = '', url = ''] = pair.trim().split('=', 2);
        return [mspId, new URL(url).origin];
      }),
    );
  const deviceAgents = byOrganisation(s.GATEWAY_DEVICE_AGENTS);
  return {
    host: s.GATEWAY_HOST,
    port: s.GATEWAY_PORT,
    publicOrigin: new URL(s.GATEWAY_PUBLIC_ORIGIN ?? `http://localhost:${s.GATEWAY_PORT}`).origin,
    networkPlanFile: s.GATEWAY_NETWORK_PLAN,
    databaseFile: s.GATEWAY_DATABASE,
    sessionSecret: s.GATEWAY_SESSION_SECRET,
    totpKey: Buffer.from(s.GATEWAY_TOTP_KEY, 'base64'),
    devicePolicyFile: s.GATEWAY_DEVICE_POLICY,
    deviceAgentOrigins: [
      ...new Set([
        ...s.GATEWAY_DEVICE_AGENT_ORIGINS.map((o) => new URL(o).origin),
        ...Object.values(deviceAgents),
      ]),
    ],
    deviceAgents,
    webRoot: s.GATEWAY_WEB_ROOT,
    maxUploadBytes: s.GATEWAY_MAX_UPLOAD_BYTES,
    sessionIdleSeconds: s.GATEWAY_SESSION_IDLE_SECONDS,
    sessionAbsoluteSeconds: s.GATEWAY_SESSION_ABSOLUTE_SECONDS,
    loginRateLimit: { limit: s.GATEWAY_LOGIN_RATE_LIMIT, windowSeconds: s.GATEWAY_LOGIN_RATE_WINDOW_SECONDS },
    logLevel: s.GATEWAY_LOG_LEVEL,
    revocationPollMs: s.GATEWAY_REVOCATION_POLL_MS,
    housekeepingSeconds: s.GATEWAY_HOUSEKEEPING_SECONDS,
    organisation: s.GATEWAY_ORGANISATION === '*' ? undefined : s.GATEWAY_ORGANISATION,
    peerGateways: byOrganisation(s.GATEWAY_PEER_GATEWAYS),
  };
}
