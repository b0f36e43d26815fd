import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access, readFile, readdir, realpath, stat } from 'node:fs/promises';
import { arch, release } from 'node:os';
import { posix } from 'node:path';
import {
  FACT_LIMITS,
  OS_ID_PATTERN,
  type Fact,
  type OsInfo,
  type PackageUpdate,
  type PostureFacts,
} from './facts';

/** What a command printed and how it ended. */
export interface ExecResult {
  /** Exit status; `null` when a signal ended it. */
  exitCode: number | null;
  stdout: string;
}

/**
 * Everything {@link collectPosture} reads from the machine. Every reader answers `null` (or `false`)
 * for what is absent or unreadable rather than throwing; tests replace them with fixtures.
 */
export interface PostureReaders {
  platform: string;
  kernelRelease(): string;
  arch(): string;
  env: Readonly<Record<string, string | undefined>>;
  now(): Date;
  readText(path: string): Promise<string | null>;
  modifiedAt(path: string): Promise<Date | null>;
  realPath(path: string): Promise<string | null>;
  listDir(path: string): Promise<string[] | null>;
  isExecutable(path: string): Promise<boolean>;
  /** Runs `file` with `args`, no shell, for at most 2 s; `null` when it could not run or timed out. */
  run(file: string, args: readonly string[]): Promise<ExecResult | null>;
}

/** Options of {@link collectPosture}. */
export interface CollectPostureOptions {
  /** Replacements for the machine's readers (tests feed fixtures). */
  readers?: Partial<PostureReaders>;
  /** The path whose filesystem must be encrypted (default `/`; the agent may pass its data directory). */
  path?: string;
}

const COMMAND_TIMEOUT_MS = 2000;
const MAX_TEXT_BYTES = 1024 * 1024;
const DAY_MS = 86_400_000;
/**
 * Commands are looked up in the system's own directories, not in $PATH, so that what is checked is
 * the system's packet filter and settings, not whatever a user's PATH puts first.
 */
const SYSTEM_BIN_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** Package-manager records whose modification time is the last change to the installed software. */
const PACKAGE_RECORDS = [
  '/var/lib/apt/periodic/update-success-stamp',
  '/var/lib/dpkg/status',
  '/var/log/apt/history.log',
  '/var/log/dpkg.log',
  '/var/lib/rpm/rpmdb.sqlite',
  '/var/lib/rpm/Packages',
  '/var/log/pacman.log',
];

function nodeReaders(): PostureReaders {
  return {
    platform: process.platform,
    kernelRelease: release,
    arch,
    env: process.env,
    now: () => new Date(),
    async readText(path) {
      try {
        const text = await readFile(path, 'utf8');
        return text.length > MAX_TEXT_BYTES ? text.slice(0, MAX_TEXT_BYTES) : text;
      } catch {
        return null;
      }
    },
    async modifiedAt(path) {
      try {
        return (await stat(path)).mtime;
      } catch {
        return null;
      }
    },
    async realPath(path) {
      try {
        return await realpath(path);
      } catch {
        return null;
      }
    },
    async listDir(path) {
      try {
        return await readdir(path);
      } catch {
        return null;
      }
    },
    async isExecutable(path) {
      try {
        await access(path, constants.X_OK);
        return (await stat(path)).isFile();
      } catch {
        return false;
      }
    },
    run(file, args) {
      return new Promise((resolve) => {
        execFile(
          file,
          args,
          {
            shell: false,
            timeout: COMMAND_TIMEOUT_MS,
            killSignal: 'SIGKILL',
            maxBuffer: MAX_TEXT_BYTES,
            windowsHide: true,
            env: { ...process.env, LC_ALL: 'C' },
          },
          (error, stdout) => {
            if (!error) {
              resolve({ exitCode: 0, stdout });
            } else if (typeof error.code === 'number' && !error.killed) {
              resolve({ exitCode: error.code, stdout });
            } else {
              resolve(null);
            }
          },
        );
      });
    },
  };
}

function clip(text: string, max: number): string {
  return text.length > max ? text.slice(0, max) : text;
}

function unknown<T>(source: string): Fact<T> {
  return { value: null, source: clip(source, FACT_LIMITS.source) };
}

function known<T>(value: T, source: string): Fact<T> {
  return { value, source: clip(source, FACT_LIMITS.source) };
}

async function findExecutable(r: PostureReaders, name: string): Promise<string | null> {
  for (const dir of SYSTEM_BIN_DIRS) {
    const path = `${dir}/${name}`;
    if (await r.isExecutable(path)) return path;
  }
  return null;
}

/** Parses os-release (shell-like `KEY=value` lines, values optionally quoted). */
export function parseOsRelease(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (!match?.[1] || match[2] === undefined) continue;
    let value = match[2];
    const quote = value[0];
    if ((quote === '"' || quote === "'") && value.endsWith(quote) && value.length >= 2) {
      value = value.slice(1, -1);
      if (quote === '"') value = value.replace(/\\(["\\$`])/g, '$1');
    }
    fields.set(match[1], value);
  }
  return fields;
}

async function osInfo(r: PostureReaders): Promise<Fact<OsInfo>> {
  if (r.platform !== 'linux') return unknown(`not read on ${r.platform}`);
  for (const path of ['/etc/os-release', '/usr/lib/os-release']) {
    const text = await r.readText(path);
    if (text === null) continue;
    const fields = parseOsRelease(text);
    // os-release's own defaults for absent fields.
    const id = (fields.get('ID') ?? 'linux').toLowerCase();
    if (!OS_ID_PATTERN.test(id)) return unknown(`${path}: ID is not a valid os-release id`);
    const version = fields.get('VERSION_ID');
    return known(
      {
        id,
        name: clip(fields.get('NAME') ?? 'Linux', FACT_LIMITS.osName),
        version: version ? clip(version, FACT_LIMITS.osVersion) : null,
      },
      path,
    );
  }
  return unknown('/etc/os-release and /usr/lib/os-release not readable');
}

async function lastPackageUpdate(r: PostureReaders): Promise<Fact<PackageUpdate>> {
  if (r.platform !== 'linux') return unknown(`not read on ${r.platform}`);
  let newest: { path: string; at: Date } | undefined;
  let found = 0;
  for (const path of PACKAGE_RECORDS) {
    const at = await r.modifiedAt(path);
    if (!at) continue;
    found++;
    if (!newest || at.getTime() > newest.at.getTime()) newest = { path, at };
  }
  if (!newest) return unknown('no package-manager record found (apt, dpkg, rpm, pacman)');
  const ageDays = Math.max(0, Math.floor((r.now().getTime() - newest.at.getTime()) / DAY_MS));
  return known(
    { at: newest.at.toISOString(), ageDays },
    `mtime of ${newest.path} (newest of ${found} package-manager record${found === 1 ? '' : 's'})`,
  );
}

interface Mount {
  majorMinor: string;
  mountPoint: string;
  fsType: string;
  source: string;
}

function unescapeMountField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

/** Parses /proc/self/mountinfo: each mount's device number, mount point, filesystem type and source. */
export function parseMountinfo(text: string): Mount[] {
  const mounts: Mount[] = [];
  for (const line of text.split('\n')) {
    const fields = line.split(' ');
    const separator = fields.indexOf('-');
    const majorMinor = fields[2];
    const mountPoint = fields[4];
    const fsType = fields[separator + 1];
    const source = fields[separator + 2];
    if (separator < 6 || !majorMinor || !mountPoint || !fsType || source === undefined) continue;
    mounts.push({
      majorMinor,
      mountPoint: unescapeMountField(mountPoint),
      fsType,
      source: unescapeMountField(source),
    });
  }
  return mounts;
}

/** The mount holding `path`: the longest mount point above it, the last one mounted when stacked. */
function mountOf(mounts: readonly Mount[], path: string): Mount | undefined {
  let best: Mount | undefined;
  for (const mount of mounts) {
    const mp = mount.mountPoint;
    const holds = mp === '/' || path === mp || path.startsWith(`${mp}/`);
    if (holds && (!best || mp.length >= best.mountPoint.length)) best = mount;
  }
  return best;
}

/** The kernel name (`vda1`, `dm-0`, `nvme0n1p2`) of the block device behind a mount, if it has one. */
async function blockDeviceName(r: PostureReaders, mount: Mount): Promise<string | null> {
  if (mount.source.startsWith('/dev/')) {
    const device = await r.realPath(mount.source);
    if (device?.startsWith('/dev/')) {
      const name = posix.basename(device);
      if ((await r.listDir(`/sys/class/block/${name}`)) !== null) return name;
    }
  }
  // /dev/root and similar aliases do not exist in /dev; the device number still names the device.
  const sysfs = await r.realPath(`/sys/dev/block/${mount.majorMinor}`);
  return sysfs ? posix.basename(sysfs) : null;
}

/** Whether a block device is, or sits on, a dm-crypt mapping; `null` when that cannot be told. */
async function onDmCrypt(r: PostureReaders, name: string, depth = 0): Promise<boolean | null> {
  const base = `/sys/class/block/${name}`;
  if ((await r.listDir(base)) === null) return null;
  const uuid = await r.readText(`${base}/dm/uuid`);
  if (uuid?.startsWith('CRYPT-')) return true;
  // A loop device's encryption is that of the filesystem holding its backing file: not followed.
  if ((await r.readText(`${base}/loop/backing_file`)) !== null) return null;
  if (depth >= 8) return null;
  let undetermined = false;
  for (const slave of (await r.listDir(`${base}/slaves`)) ?? []) {
    const below = await onDmCrypt(r, slave, depth + 1);
    if (below === true) return true;
    if (below === null) undetermined = true;
  }
  return undetermined ? null : false;
}

async function diskEncryption(r: PostureReaders, path: string): Promise<Fact<boolean>> {
  if (r.platform !== 'linux') return unknown(`not read on ${r.platform}`);
  // A data directory's path names its user: sources only say which kind of path was checked.
  const label = path === '/' ? '/' : 'the agent data directory';
  const target = (await r.realPath(path)) ?? path;
  const mountinfo = await r.readText('/proc/self/mountinfo');
  if (mountinfo === null) return unknown('/proc/self/mountinfo not readable');
  const mount = mountOf(parseMountinfo(mountinfo), target);
  if (!mount) return unknown(`no mount found for ${label} in /proc/self/mountinfo`);
  const where = `${label} (${mount.fsType})`;
  const name = await blockDeviceName(r, mount);
  if (name === null) {
    return mount.source.startsWith('/dev/')
      ? lsblkEncryption(r, mount.source, where)
      : unknown(`${where}: no backing block device visible`);
  }
  const encrypted = await onDmCrypt(r, name);
  if (encrypted === null) return unknown(`${where} on ${name}: the device stack could not be followed`);
  return known(
    encrypted,
    encrypted
      ? `${where} on ${name}: dm-crypt in its device stack (/sys/class/block)`
      : `${where} on ${name}: no dm-crypt in its device stack (/sys/class/block)`,
  );
}

async function lsblkEncryption(r: PostureReaders, device: string, where: string): Promise<Fact<boolean>> {
  const lsblk = await findExecutable(r, 'lsblk');
  if (!lsblk) return unknown(`${where}: device not in /sys/class/block and lsblk not installed`);
  // -s lists the device and everything it sits on.
  const result = await r.run(lsblk, ['-n', '-r', '-s', '-o', 'TYPE', device]);
  if (result?.exitCode !== 0) return unknown(`${where}: lsblk could not read the device`);
  const types = result.stdout.split('\n').map((t) => t.trim());
  return known(types.includes('crypt'), `${where}: lsblk -s device types`);
}

/**
 * Whether an `nft list ruleset` has a filter chain on the input hook that filters: a drop policy or
 * at least one rule.
 */
export function nftRulesetFilters(ruleset: string): boolean {
  const chains = ruleset.split(/\bchain\s+\S+\s*\{/).slice(1);
  for (const chain of chains) {
    const body = chain.split(/\n\s*\}/)[0] ?? '';
    const lines = body
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const hook = lines.find((l) => /^type\s+filter\s+hook\s+input\b/.test(l));
    if (!hook) continue;
    if (/\bpolicy\s+drop\b/.test(hook)) return true;
    if (lines.some((l) => !l.startsWith('type '))) return true;
  }
  return false;
}

async function firewall(r: PostureReaders): Promise<Fact<boolean>> {
  if (r.platform !== 'linux') return unknown(`not read on ${r.platform}`);
  const ufw = await r.readText('/etc/ufw/ufw.conf');
  const ufwEnabled = ufw !== null && /^\s*ENABLED\s*=\s*"?yes"?\s*$/im.test(ufw);
  const legacyTables = [
    ...((await r.readText('/proc/net/ip_tables_names')) ?? '').split('\n'),
    ...((await r.readText('/proc/net/ip6_tables_names')) ?? '').split('\n'),
  ].map((t) => t.trim());
  const legacyFilter = legacyTables.includes('filter');
  const nft = await findExecutable(r, 'nft');
  // Listing the ruleset needs CAP_NET_ADMIN: it fails for an unprivileged agent, which is expected.
  const listed = nft ? await r.run(nft, ['list', 'ruleset']) : null;
  if (listed?.exitCode === 0) {
    if (nftRulesetFilters(listed.stdout)) {
      return known(true, 'nft list ruleset: an input filter chain with rules');
    }
    if (!legacyFilter) {
      return known(false, 'nft list ruleset: no input filtering; no iptables-legacy filter table');
    }
  }
  if (ufwEnabled) return known(true, '/etc/ufw/ufw.conf: ENABLED=yes');
  if (legacyFilter) {
    return known(
      true,
      '/proc/net/ip_tables_names: iptables filter table loaded (rules not readable unprivileged)',
    );
  }
  return unknown(
    nft
      ? 'nft list ruleset not permitted; ufw not enabled; no iptables-legacy filter table'
      : 'nft not installed; ufw not enabled; no iptables-legacy filter table',
  );
}

async function screenLock(r: PostureReaders): Promise<Fact<boolean>> {
  if (r.platform !== 'linux') return unknown(`not read on ${r.platform}`);
  const gsettings = await findExecutable(r, 'gsettings');
  if (!gsettings) return unknown('gsettings not installed (no GNOME desktop)');
  // Without a session bus gsettings answers from its in-memory defaults, not the user's settings.
  if (!r.env.DBUS_SESSION_BUS_ADDRESS) {
    return unknown('no desktop session bus (DBUS_SESSION_BUS_ADDRESS unset)');
  }
  const result = await r.run(gsettings, ['get', 'org.gnome.desktop.screensaver', 'lock-enabled']);
  const answer = result?.exitCode === 0 ? result.stdout.trim() : '';
  if (answer !== 'true' && answer !== 'false') {
    return unknown('gsettings get org.gnome.desktop.screensaver lock-enabled failed');
  }
  return known(answer === 'true', 'gsettings org.gnome.desktop.screensaver lock-enabled');
}

/**
 * Reads the posture of the machine this runs on. Linux facts come from os-release, the kernel,
 * package-manager records, sysfs, the packet filter and GNOME's settings; on other platforms only the
 * kernel release and architecture are known and everything else is `null`. Never throws for an
 * unreadable fact: it is reported as `null` with the reason in its `source`.
 */
export async function collectPosture(options: CollectPostureOptions = {}): Promise<PostureFacts> {
  const r: PostureReaders = { ...nodeReaders(), ...options.readers };
  const [os, lastSecurityUpdate, disk, packetFilter, lock] = await Promise.all([
    osInfo(r),
    lastPackageUpdate(r),
    diskEncryption(r, options.path ?? '/'),
    firewall(r),
    screenLock(r),
  ]);
  const kernel = r.kernelRelease();
  const cpu = r.arch();
  return {
    platform: clip(r.platform, FACT_LIMITS.platform),
    os,
    kernel: kernel ? known(clip(kernel, FACT_LIMITS.kernel), 'os.release()') : unknown('os.release() empty'),
    arch: cpu ? known(clip(cpu, FACT_LIMITS.arch), 'os.arch()') : unknown('os.arch() empty'),
    lastSecurityUpdate,
    diskEncryption: disk,
    firewall: packetFilter,
    screenLock: lock,
  };
}
