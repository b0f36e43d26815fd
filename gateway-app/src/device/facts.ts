import { z } from 'zod';

/**
 * One fact of a device's posture: its value, or `null` when it could not be read on this machine, and
 * where it was read (or why it could not be). Sources name files, commands and kernel device names,
 * never anything that identifies the machine or its user.
 */
export interface Fact<T> {
  value: T | null;
  source: string;
}

/** The operating system, from os-release. */
export interface OsInfo {
  /** os-release `ID`, lower case (`debian`, `ubuntu`, `fedora`, ...): what policies list. */
  id: string;
  /** os-release `NAME`. */
  name: string;
  /** os-release `VERSION_ID`, or `null` when the release has none (rolling releases). */
  version: string | null;
}

/** When the package manager last changed the installed software. */
export interface PackageUpdate {
  /** ISO 8601 time of the newest package-manager record. */
  at: string;
  /** Whole days between then and when the facts were collected. */
  ageDays: number;
}

/** What the device agent reports about the machine it runs on. Nothing in it identifies the machine. */
export interface PostureFacts {
  /** Node's `process.platform` (`linux`, `darwin`, `win32`, ...). */
  platform: string;
  os: Fact<OsInfo>;
  /** Kernel release (`os.release()`). */
  kernel: Fact<string>;
  /** CPU architecture (`os.arch()`). */
  arch: Fact<string>;
  lastSecurityUpdate: Fact<PackageUpdate>;
  /** Whether the filesystem holding the system (or the agent's data) sits on a dm-crypt device. */
  diskEncryption: Fact<boolean>;
  /** Whether a packet filter with rules is active. */
  firewall: Fact<boolean>;
  /** Whether the desktop locks the screen automatically. */
  screenLock: Fact<boolean>;
}

/** Bounds on every string of the facts; the agent clips to them, the gateway refuses anything longer. */
export const FACT_LIMITS = {
  source: 200,
  osId: 64,
  osName: 128,
  osVersion: 64,
  kernel: 128,
  arch: 32,
  platform: 32,
} as const;

/** An os-release `ID` as the specification allows it: lower-case letters, digits, `.`, `_` and `-`. */
export const OS_ID_PATTERN = /^[a-z0-9._-]{1,64}$/;

function fact<T extends z.ZodType>(value: T) {
  return z.strictObject({ value: value.nullable(), source: z.string().max(FACT_LIMITS.source) });
}

/** The strict schema of {@link PostureFacts}, as the gateway reads them from a signed report. */
export const postureFactsSchema = z.strictObject({
  platform: z.string().min(1).max(FACT_LIMITS.platform),
  os: fact(
    z.strictObject({
      id: z.string().regex(OS_ID_PATTERN),
      name: z.string().max(FACT_LIMITS.osName),
      version: z.string().max(FACT_LIMITS.osVersion).nullable(),
    }),
  ),
  kernel: fact(z.string().min(1).max(FACT_LIMITS.kernel)),
  arch: fact(z.string().min(1).max(FACT_LIMITS.arch)),
  lastSecurityUpdate: fact(
    z.strictObject({
      at: z.iso.datetime({ offset: true }),
      ageDays: z.number().int().min(0).max(1_000_000),
    }),
  ),
  diskEncryption: fact(z.boolean()),
  firewall: fact(z.boolean()),
  screenLock: fact(z.boolean()),
}) satisfies z.ZodType<PostureFacts>;
