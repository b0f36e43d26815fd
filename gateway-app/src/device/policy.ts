import { z } from 'zod';
import { DeviceError } from './errors';
import { OS_ID_PATTERN, type Fact, type PostureFacts } from './facts';

/**
 * How a boolean fact is enforced: `required` fails unless it is known to hold (unknown fails too),
 * `if-known` fails only when it is known not to hold, `off` does not look at it.
 */
export type FactRequirement = 'required' | 'if-known' | 'off';

const requirement = z.enum(['required', 'if-known', 'off']);

/** The schema of {@link DevicePolicy}; every field has a default, so `{}` is the default policy. */
export const devicePolicySchema = z.strictObject({
  /** How old a report may be when the gateway checks it. */
  maxReportAgeSeconds: z.number().int().min(1).max(3600).default(60),
  /** How many days may have passed since the last package update; `null` does not check. */
  maxSecurityUpdateAgeDays: z.number().int().min(0).max(3650).nullable().default(30),
  requireDiskEncryption: requirement.default('off'),
  requireFirewall: requirement.default('off'),
  requireScreenLock: requirement.default('off'),
  /** Oldest kernel release accepted, as dotted numbers (`5.10`, `6.1.0`). */
  minKernel: z
    .string()
    .regex(/^\d{1,5}(\.\d{1,5}){0,3}$/, 'must be dotted numbers such as 5.10')
    .optional(),
  /** os-release ids accepted (`debian`, `ubuntu`, ...); absent accepts any. */
  allowedOs: z.array(z.string().regex(OS_ID_PATTERN, 'must be an os-release id')).min(1).max(64).optional(),
});

/** What the gateway requires of a device's posture. */
export type DevicePolicy = z.output<typeof devicePolicySchema>;
/** A policy as configured: any field may be left out for its default. */
export type DevicePolicyInput = z.input<typeof devicePolicySchema>;

/** The policy with every default: fresh reports, package updates within 30 days, nothing else. */
export const DEFAULT_DEVICE_POLICY: DevicePolicy = devicePolicySchema.parse({});

/**
 * Validates a configured policy and fills in defaults. Throws {@link DeviceError} INVALID_ARGUMENT
 * naming the first offending field.
 */
export function parseDevicePolicy(input: unknown = {}): DevicePolicy {
  const result = devicePolicySchema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(top level)';
    throw new DeviceError('INVALID_ARGUMENT', `device policy: ${field}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

/** Stable codes of a {@link PolicyViolation}. */
export type PolicyViolationCode =
  | 'SECURITY_UPDATES_STALE'
  | 'DISK_NOT_ENCRYPTED'
  | 'FIREWALL_OFF'
  | 'SCREEN_LOCK_OFF'
  | 'KERNEL_TOO_OLD'
  | 'OS_NOT_ALLOWED'
  /** The policy checks a fact the agent could not read on this device. */
  | 'FACT_UNKNOWN';

/** One way a device falls short of the policy, with a message telling the user what to do. */
export interface PolicyViolation {
  code: PolicyViolationCode;
  /** The fact concerned. */
  fact: keyof PostureFacts;
  message: string;
}

const FACT_NAMES: Record<keyof PostureFacts, string> = {
  platform: 'the platform',
  os: 'the operating system',
  kernel: 'the kernel release',
  arch: 'the architecture',
  lastSecurityUpdate: 'when software updates were last installed',
  diskEncryption: 'whether the disk is encrypted',
  firewall: 'whether a firewall is active',
  screenLock: 'whether the screen locks automatically',
};

function factUnknown(fact: keyof PostureFacts, source: string): PolicyViolation {
  return {
    code: 'FACT_UNKNOWN',
    fact,
    message:
      `the device agent could not determine ${FACT_NAMES[fact]} (${source}), and the policy requires it; ` +
      'use a device where it can be checked, or ask your administrator',
  };
}

/** Dotted numeric components of a release (`6.1.0-18-amd64` → [6, 1, 0]), or null if it has none. */
function releaseNumbers(release: string): number[] | null {
  const match = /^(\d+(?:\.\d+)*)/.exec(release);
  return match?.[1] ? match[1].split('.').map(Number) : null;
}

function olderThan(actual: readonly number[], minimum: readonly number[]): boolean {
  for (let i = 0; i < Math.max(actual.length, minimum.length); i++) {
    const a = actual[i] ?? 0;
    const m = minimum[i] ?? 0;
    if (a !== m) return a < m;
  }
  return false;
}

function checkBoolean(
  violations: PolicyViolation[],
  fact: Fact<boolean>,
  name: 'diskEncryption' | 'firewall' | 'screenLock',
  mode: FactRequirement,
  failure: Omit<PolicyViolation, 'fact'>,
): void {
  if (mode === 'off' || fact.value === true) return;
  if (fact.value === false) violations.push({ ...failure, fact: name });
  else if (mode === 'required') violations.push(factUnknown(name, fact.source));
}

/**
 * Everything in which `facts` fall short of `policy`, in a fixed order; empty when the device complies.
 * Report freshness is not a fact and is checked by `verifyDeviceReport`.
 */
export function evaluatePolicy(facts: PostureFacts, policy: DevicePolicy): PolicyViolation[] {
  const violations: PolicyViolation[] = [];
  const maxAge = policy.maxSecurityUpdateAgeDays;
  if (maxAge !== null) {
    const update = facts.lastSecurityUpdate;
    if (update.value === null) {
      violations.push(factUnknown('lastSecurityUpdate', update.source));
    } else if (update.value.ageDays > maxAge) {
      violations.push({
        code: 'SECURITY_UPDATES_STALE',
        fact: 'lastSecurityUpdate',
        message:
          `software updates were last installed ${update.value.ageDays} days ago (at most ${maxAge} allowed); ` +
          'install the pending updates (on Debian or Ubuntu: sudo apt update && sudo apt upgrade) and try again',
      });
    }
  }
  checkBoolean(violations, facts.diskEncryption, 'diskEncryption', policy.requireDiskEncryption, {
    code: 'DISK_NOT_ENCRYPTED',
    message:
      'the disk holding the system is not encrypted; medical data may only be handled on a device with ' +
      'full-disk encryption (LUKS), so use another device or ask your administrator to encrypt this one',
  });
  checkBoolean(violations, facts.firewall, 'firewall', policy.requireFirewall, {
    code: 'FIREWALL_OFF',
    message: 'no active firewall was found; turn one on (on Ubuntu: sudo ufw enable) and try again',
  });
  checkBoolean(violations, facts.screenLock, 'screenLock', policy.requireScreenLock, {
    code: 'SCREEN_LOCK_OFF',
    message:
      'the screen does not lock automatically; turn on Screen Lock in the privacy settings and try again',
  });
  if (policy.minKernel !== undefined) {
    const kernel = facts.kernel.value;
    const actual = kernel === null ? null : releaseNumbers(kernel);
    const minimum = releaseNumbers(policy.minKernel) ?? [];
    if (kernel === null || actual === null) {
      violations.push(factUnknown('kernel', facts.kernel.source));
    } else if (olderThan(actual, minimum)) {
      violations.push({
        code: 'KERNEL_TOO_OLD',
        fact: 'kernel',
        message: `kernel ${kernel} is older than ${policy.minKernel}, the oldest allowed; update the operating system`,
      });
    }
  }
  if (policy.allowedOs !== undefined) {
    const os = facts.os.value;
    if (os === null) {
      violations.push(factUnknown('os', facts.os.source));
    } else if (!policy.allowedOs.includes(os.id)) {
      violations.push({
        code: 'OS_NOT_ALLOWED',
        fact: 'os',
        message: `${os.name} (${os.id}) is not an approved operating system (${policy.allowedOs.join(', ')}); use an approved device`,
      });
    }
  }
  return violations;
}
