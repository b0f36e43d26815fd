import { Command, InvalidArgumentError } from 'commander';
import { X509Certificate } from 'node:crypto';
import { ApiError, type AccountView } from '../../client/api-client';
import { contributeKeyShare, pendingReleases } from '../../client/break-glass';
import { approveKeySet, keySetOf, proposeKeySet } from '../../client/emergency-keyset';
import type { EmergencyKeySetRecord } from 'medshare-chaincode';
import { signRegistration, type RegistrableRole } from '../../client/ca-token';
import { callLedger } from '../../client/ledger-call';
import { enrolmentLink } from '../../client/invitation-link';
import { trustBundleDigest } from '../../trust/bundle';
import { toString as qrToString } from 'qrcode';
import { parseEnrollmentId, parseInvitableRole, parseMspId, parseRecordId, parseUserId } from './args';
import { withCommonOptions } from './common';
import { CliError } from './errors';
import { emit, table } from './output';
import { operatorErasureCommands } from './erasure';
import { envValue, withWorkstation, type CommonOptions, type Runtime, type Workstation } from './workstation';

/**
 * The Fabric CA name an operator's registrations are addressed to. The
 * gateway does not publish it; this consortium's CAs are named like the first
 * label of their certificate's common name (`ca-hospital-a.medshare` is CA
 * `ca-hospital-a`), so that is the default when neither `--ca` nor
 * `$MEDSHARE_CA_NAME` says otherwise.
 */
export function caNameOf(certificatePem: string): string {
  let issuer: string;
  try {
    issuer = new X509Certificate(certificatePem).issuer;
  } catch {
    throw new CliError('KEY_FILE_INVALID', 'the key file\u2019s certificate cannot be read');
  }
  const cn = /(?:^|\n)CN=([^\n]+)/.exec(issuer)?.[1];
  const name = cn?.split('.')[0];
  if (!name) throw new CliError('CA_NAME_UNKNOWN', 'cannot tell your CA\u2019s name: give --ca NAME');
  return name;
}

function parseCaName(value: string): string {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/.test(value)) throw new InvalidArgumentError('not a CA name');
  return value;
}

interface RegisterOptions extends CommonOptions {
  name: string;
  role?: RegistrableRole;
  ca?: string;
}

async function register(kind: 'user' | 'device', options: RegisterOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const keys = await station.keys();
    const caName =
      options.ca ?? envValue(runtime.env, 'MEDSHARE_CA_NAME') ?? caNameOf(station.keyFile.certificatePem);
    const role: RegistrableRole = kind === 'device' ? 'device' : (options.role ?? 'patient');
    const registration = await signRegistration(keys.signer, { caName, enrollmentId: options.name, role });
    if (kind === 'device') {
      const { enrollmentId, secret } = await station.client.registerDevice(registration);
      emit(runtime.out, options.json === true, { enrollmentId, role, secret }, [
        `registered device ${enrollmentId}; its one-time enrolment secret (give it to the device only):`,
        `  ${secret}`,
        `on the device: medshare-device-agent enrol --gateway ${station.keyFile.gatewayUrl} --msp ${station.keyFile.mspId} --id ${enrollmentId} --secret-file FILE`,
      ]);
      return;
    }
    // The invitation names the trust this operator's device pinned, never what the gateway says.
    const pinned = station.keyFile.trustBundle;
    if (!pinned) {
      throw new CliError(
        'TRUST_BUNDLE_MISSING',
        'your key file pins no trust bundle, so your invitations could name none: use a key file made by bootstrap-operator or a current enrol',
      );
    }
    const trustDigest = trustBundleDigest(pinned);
    const invited = await station.client.registerUser(registration);
    const link = enrolmentLink(station.keyFile.gatewayUrl, {
      mspId: station.keyFile.mspId,
      enrollmentId: invited.enrollmentId,
      trustDigest,
    });
    const qr = options.json ? '' : await qrToString(link, { type: 'terminal', small: true });
    emit(
      runtime.out,
      options.json === true,
      {
        accountId: invited.accountId,
        enrollmentId: invited.enrollmentId,
        role,
        secret: invited.secret,
        trustDigest,
        enrolLink: link,
      },
      [
        `invited ${invited.enrollmentId} as ${role} (account ${invited.accountId})`,
        'their one-time enrolment secret (hand it over out of band; it is not shown again):',
        `  ${invited.secret}`,
        'and the consortium\u2019s trust code, which their device checks the gateway against:',
        `  ${trustDigest}`,
        `in a browser they open (or scan) the enrolment page, which carries the trust code:`,
        `  ${link}`,
        qr,
        `or they run: medshare enrol --gateway ${station.keyFile.gatewayUrl} --msp ${station.keyFile.mspId} --name ${invited.enrollmentId} --trust ${trustDigest} --secret-file FILE`,
      ],
    );
  });
}

/** An account as listed: everything but the certificate. */
export function accountSummary(a: AccountView): Omit<AccountView, 'certificatePem'> {
  return {
    accountId: a.accountId,
    mspId: a.mspId,
    enrollmentId: a.enrollmentId,
    role: a.role,
    status: a.status,
    userId: a.userId,
    encryptionPublicKey: a.encryptionPublicKey,
    hasKeyBackup: a.hasKeyBackup,
  };
}

function accountRow(a: AccountView): string[] {
  return [a.accountId, a.enrollmentId, a.role, a.status, a.userId ?? ''];
}

async function accounts(options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const list = await station.client.accounts();
    emit(
      runtime.out,
      options.json === true,
      { accounts: list.map(accountSummary) },
      table([['ACCOUNT', 'LOGIN', 'ROLE', 'STATUS', 'USER ID'], ...list.map(accountRow)]),
    );
  });
}

const LEDGER_ID = /^[0-9a-f]{64}$/;

function hasAccount(list: readonly AccountView[], idOrName: string): boolean {
  return list.some((a) => a.accountId === idOrName || a.enrollmentId === idOrName || a.userId === idOrName);
}

/** The account an operator names: by account id, enrolment id or ledger user id. */
export function findAccount(list: readonly AccountView[], idOrName: string): AccountView {
  const found =
    list.find((a) => a.accountId === idOrName) ??
    list.find((a) => a.enrollmentId === idOrName) ??
    list.find((a) => a.userId === idOrName);
  if (!found) throw new CliError('NOT_FOUND', `no account ${idOrName} in your organisation`);
  return found;
}

async function setStatus(
  idOrName: string,
  status: 'active' | 'suspended',
  options: CommonOptions,
  runtime: Runtime,
): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const list = await station.client.accounts();
    if (!hasAccount(list, idOrName) && LEDGER_ID.test(idOrName)) {
      // A registry entry with no account here: a gateway, or an admin or user of another gateway.
      const ledger = await setLedgerStatus(station, idOrName, status);
      if ('skipped' in ledger && ledger.skipped === 'not registered') {
        throw new CliError('NOT_FOUND', `no account and no registry entry ${idOrName} in your organisation`);
      }
      emit(runtime.out, options.json === true, { userId: idOrName, status, ledger }, [
        `ledger entry ${idOrName} (no account at this gateway): ${describeLedger(ledger)}`,
      ]);
      return;
    }
    const target = findAccount(list, idOrName);
    // The gateway first: it ends the user's sessions at once; then the ledger, in the operator's name.
    const updated = await station.client.setAccountStatus(target.accountId, status);
    const ledger = await setLedgerStatus(station, target.userId, status);
    const verb = status === 'suspended' ? 'suspended' : 'reactivated';
    emit(
      runtime.out,
      options.json === true,
      { accountId: updated.accountId, enrollmentId: updated.enrollmentId, status: updated.status, ledger },
      [`${verb} ${updated.enrollmentId} (account ${updated.accountId}); ledger: ${describeLedger(ledger)}`],
    );
  });
}

type LedgerStatusChange = { txId: string } | { skipped: string };

async function setLedgerStatus(
  station: Workstation,
  userId: string | null,
  status: 'active' | 'suspended',
): Promise<LedgerStatusChange> {
  if (!userId) return { skipped: 'not enrolled' };
  const fn = status === 'suspended' ? 'registry:SuspendUser' : 'registry:ReactivateUser';
  try {
    return { txId: (await callLedger(station.client, await station.keys(), fn, [userId])).txId };
  } catch (error) {
    if (error instanceof ApiError && error.code === 'NOT_FOUND') return { skipped: 'not registered' };
    if (error instanceof ApiError && error.code === 'FAILED_PRECONDITION') {
      return { skipped: `already ${status}` };
    }
    throw error;
  }
}

function describeLedger(change: LedgerStatusChange): string {
  return 'txId' in change ? `tx ${change.txId}` : change.skipped;
}

interface ProposeOptions extends CommonOptions {
  holders: string[];
  threshold: number;
}

/** A key set in lines: version, status, threshold, holders and approvals. */
function keySetLines(keySet: EmergencyKeySetRecord): string[] {
  return [
    `${keySet.mspId} emergency key set version ${String(keySet.version)}: ${keySet.status}, ${String(keySet.threshold)} of ${String(keySet.holders.length)} holders must act together`,
    ...keySet.holders.map((h) => `  holder ${h.userId} (key ${h.fingerprint.slice(0, 16)}…)`),
    ...keySet.approvals.map((a) => `  approved by ${a.adminId} at ${a.at}`),
  ];
}

async function emergencyKeyPropose(options: ProposeOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const { txId, keySet } = await proposeKeySet(
      station.client,
      await station.keys(),
      options.holders,
      options.threshold,
    );
    emit(runtime.out, options.json === true, { txId, keySet }, [
      ...keySetLines(keySet),
      `proposed (tx ${txId}); another admin of ${keySet.mspId} approves it with: medshare emergency-key approve ${String(keySet.version)}`,
    ]);
  });
}

async function emergencyKeyApprove(version: number, options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const { txId, keySet } = await approveKeySet(station.client, await station.keys(), version);
    emit(runtime.out, options.json === true, { txId, keySet }, [
      ...keySetLines(keySet),
      `approved (tx ${txId})`,
    ]);
  });
}

interface ShowOptions extends CommonOptions {
  msp?: string;
  proposal?: boolean;
}

async function emergencyKeyShow(options: ShowOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    const keySet = await keySetOf(
      station.client,
      await station.keys(),
      options.msp ?? station.keyFile.mspId,
      options.proposal === true ? -1 : 0,
    );
    emit(runtime.out, options.json === true, { keySet }, keySetLines(keySet));
  });
}

function parseUserIds(value: string): string[] {
  return value.split(',').map((id) => parseUserId(id.trim()));
}

function parseThreshold(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 1e6) throw new InvalidArgumentError('a whole number');
  return n;
}

function parseOpeningLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50) throw new InvalidArgumentError('a whole number from 1 to 50');
  return n;
}

async function openingLimit(perDay: number, options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const { txId } = await callLedger(station.client, await station.keys(), 'emergency:SetOpeningLimit', [
      String(perDay),
    ]);
    emit(runtime.out, options.json === true, { mspId: station.keyFile.mspId, perDay, txId }, [
      `each doctor of ${station.keyFile.mspId} may now open ${String(perDay)} records a day by break-glass (tx ${txId})`,
    ]);
  });
}

async function emergencyPending(options: CommonOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const openings = await pendingReleases(station.client, await station.keys());
    emit(
      runtime.out,
      options.json === true,
      { openings },
      openings.length === 0
        ? ['no opening waits for a key release']
        : [
            ...table([
              ['RECORD', 'DOCTOR', 'ORGANISATION', 'REASON', 'OPENED', 'EXPIRES'],
              ...openings.map((o) => [
                o.recordId,
                o.doctorId,
                o.doctorMspId ?? '',
                o.reasonCode,
                o.openedAt,
                o.expiresAt,
              ]),
            ]),
            'release one with: medshare emergency-release RECORD --doctor DOCTOR',
          ],
    );
  });
}

interface ReleaseOptions extends CommonOptions {
  doctor: string;
}

async function emergencyRelease(recordId: string, options: ReleaseOptions, runtime: Runtime): Promise<void> {
  await withWorkstation(options, runtime, 'signed-in', async (station) => {
    station.requireOperator();
    const result = await contributeKeyShare(station.client, await station.keys(), recordId, options.doctor);
    emit(runtime.out, options.json === true, { recordId, doctorId: options.doctor, ...result }, [
      result.released
        ? `released the key of ${recordId} to doctor ${options.doctor}: ${String(result.shares)} of ${String(result.threshold)} shares (tx ${result.txId})`
        : `contributed your share of ${recordId}'s key for doctor ${options.doctor}: ${String(result.shares)} of ${String(result.threshold)}; another holder must contribute theirs (tx ${result.txId})`,
    ]);
  });
}

/** `operator ...`, `emergency-key register`, `emergency-release`. */
export function operatorCommands(runtime: Runtime): Command[] {
  const caOption = [
    '--ca <name>',
    'your organisation\u2019s CA name (default $MEDSHARE_CA_NAME, else from your certificate)',
    parseCaName,
  ] as const;
  const operator = new Command('operator').description(
    'organisation operators: invite users, register devices, suspend and reactivate',
  );
  operator.addCommand(
    withCommonOptions(
      new Command('invite')
        .description('register a user at your CA and invite them; prints their one-time secret')
        .requiredOption('--name <id>', 'their enrolment id', parseEnrollmentId)
        .requiredOption('--role <role>', 'technologist, doctor, patient or auditor', parseInvitableRole)
        .option(...caOption),
    ).action((options: RegisterOptions) => register('user', options, runtime)),
  );
  operator.addCommand(
    withCommonOptions(
      new Command('register-device')
        .description('register a device agent at your CA; prints its one-time secret')
        .requiredOption('--name <id>', 'the device\u2019s enrolment id', parseEnrollmentId)
        .option(...caOption),
    ).action((options: RegisterOptions) => register('device', options, runtime)),
  );
  operator.addCommand(
    withCommonOptions(new Command('accounts').description('your organisation\u2019s accounts')).action(
      (options: CommonOptions) => accounts(options, runtime),
    ),
  );
  for (const [name, status, what] of [
    [
      'suspend',
      'suspended',
      'suspend an account on the gateway (its sessions end) and on the ledger; a ledger user id with no account here (a gateway, another admin) on the ledger only',
    ],
    [
      'reactivate',
      'active',
      'reactivate a suspended account on the gateway and on the ledger, or a ledger entry',
    ],
  ] as const) {
    operator.addCommand(
      withCommonOptions(
        new Command(name)
          .description(what)
          .argument('<account>', 'account id, enrolment id or ledger user id'),
      ).action((idOrName: string, options: CommonOptions) => setStatus(idOrName, status, options, runtime)),
    );
  }

  operator.addCommand(
    withCommonOptions(
      new Command('opening-limit')
        .description('how many break-glass openings each of your doctors may make in 24 hours (default 3)')
        .argument('<per-day>', '1 to 50', parseOpeningLimit),
    ).action((perDay: number, options: CommonOptions) => openingLimit(perDay, options, runtime)),
  );

  for (const command of operatorErasureCommands(runtime)) operator.addCommand(command);

  const emergencyKey = new Command('emergency-key').description('your organisation\u2019s emergency key');
  emergencyKey.addCommand(
    withCommonOptions(
      new Command('propose')
        .description(
          'propose which admins hold a share of the emergency key (their own registered keys) and how many must act together',
        )
        .requiredOption('--holders <ids>', 'the holders\u2019 ledger ids, comma-separated', parseUserIds)
        .option('--threshold <n>', 'how many holders must act together (default 2)', parseThreshold, 2),
    ).action((options: ProposeOptions) => emergencyKeyPropose(options, runtime)),
  );
  emergencyKey.addCommand(
    withCommonOptions(
      new Command('approve')
        .description(
          'approve the proposed key set as a second admin: it then takes effect, and auditors are told',
        )
        .argument('<version>', 'the proposal\u2019s version', parseThreshold),
    ).action((version: number, options: CommonOptions) => emergencyKeyApprove(version, options, runtime)),
  );
  emergencyKey.addCommand(
    withCommonOptions(
      new Command('show')
        .description('an organisation\u2019s active emergency key set (yours by default), or your proposal')
        .option('--msp <id>', 'the organisation', parseMspId)
        .option('--proposal', 'the proposal waiting for approval'),
    ).action((options: ShowOptions) => emergencyKeyShow(options, runtime)),
  );

  const release = withCommonOptions(
    new Command('emergency-release')
      .description(
        'contribute your share of a record\u2019s key to the doctor of a break-glass opening in force (released at the key set\u2019s threshold)',
      )
      .argument('<record-id>', 'the record', parseRecordId)
      .requiredOption('--doctor <doctor-id>', 'the doctor\u2019s ledger id', parseUserId),
  ).action((recordId: string, options: ReleaseOptions) => emergencyRelease(recordId, options, runtime));

  const pending = withCommonOptions(
    new Command('emergency-pending').description(
      'break-glass openings of records your organisation received that wait for you to release the key',
    ),
  ).action((options: CommonOptions) => emergencyPending(options, runtime));

  return [operator, emergencyKey, release, pending];
}
