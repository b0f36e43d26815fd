import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import type { Context } from 'fabric-contract-api';
import { userIdOf } from '../identity';
import { AccessContract } from '../access-contract';
import { AttestationContract } from '../attestation-contract';
import { EmergencyContract } from '../emergency-contract';
import { ErasureContract } from '../erasure-contract';
import { EmergencyKeySetContract } from '../emergency-keyset-contract';
import type { AttestationClaim, AttestedAction } from '../attestation';
import { RegistryContract } from '../registry-contract';
import { TransferContract } from '../transfer-contract';
import { envelopeHashOf } from '../envelopes';
import { marshal } from '../json';
import { signedMessage, type EnvelopeInput, type EnvelopeParties, type EnvelopeRecord } from '../transfer';
import { keyBindingMessage, parseEncryptionKey } from '../user';
import { createCa, issueIdentity, type TestCa, type TestIdentity } from './certificates';
import { MapStub } from './stub';

/** A storage sweep's report as the erasure tests give it: three cluster peers unpinned and collected. */
export const TEST_STORAGE_EVIDENCE = {
  unpinnedFrom: 3,
  collectedOn: [
    '12D3KooWA1111111111111111111111111111111111111111111',
    '12D3KooWB2222222222222222222222222222222222222222222',
    '12D3KooWC3333333333333333333333333333333333333333333',
  ],
  blocksRemoved: 12,
};

/** Who grants access to a record to whom: the recipient `grantor` of record `recordId`, which `sender` sent it, and `grantee`. */
type GrantArguments = [
  stub: MapStub,
  grantor: string,
  grantee: string,
  sender: string,
  recordId: string,
  contentHash: string,
];

/** A user of the test consortium. */
export interface Person {
  name: string;
  msp: string;
  role: string;
  identity: TestIdentity;
  /** Ledger id, as the chaincode derives it. */
  id: string;
}

/** An organisation's gateway service: certificate role `gateway`, issued by the organisation's CA. */
export interface TestGateway {
  msp: string;
  identity: TestIdentity;
  /** Its ledger id (gatewayId). */
  id: string;
}

/** The transient `attestation` entry a gateway hands a user for one transaction. */
export interface AttestationInput {
  claim: string;
  signature: string;
  gatewayId: string;
}

/** Ways to spoil or shift an attestation, for tests. */
export interface AttestOptions {
  /** Claim fields to replace (or add, to test unknown fields); `undefined` removes one. */
  claim?: Partial<Record<keyof AttestationClaim | 'extra', unknown>>;
  /** Seconds between the stub's current time and the transaction the claim is for (default 1, as begin). */
  secondsLater?: number;
  /** The organisation whose gateway signs and is named (default the person's). */
  gatewayMsp?: string;
  /** Sign with this key instead of the gateway's. */
  signWith?: KeyObject;
  /** Name this gateway id instead of the signer's. */
  gatewayId?: string;
}

/** Options of {@link TestConsortium.as}. */
export interface BeginOptions {
  secondsLater?: number;
  transient?: Record<string, unknown>;
  /** Attach a valid attestation for this action. */
  attest?: AttestedAction;
}

/** The ledger id of the holder of a certificate of `msp`, as the chaincode derives it. */
function ledgerId(msp: string, certificatePem: string): string {
  return userIdOf(msp, new MapStub().begin(msp, certificatePem).clientIdentity.getID());
}

const hex = (label: string): string => createHash('sha256').update(label).digest('hex');

/** A fixed test CID (CIDv1, base32). */
export const TEST_CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';

/** A fresh public encryption key, base64 SPKI. */
export function encryptionKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .publicKey.export({ format: 'der', type: 'spki' })
    .toString('base64');
}

/** Who owns an encryption key: a person's ledger id, organisation and signing key. */
export type KeyOwner = Pick<Person, 'id' | 'msp' | 'identity'>;

/**
 * The key binding of `spki` at `version` for `owner`, as their device makes
 * it: an ECDSA P-256 signature (IEEE P1363, base64) over
 * {@link keyBindingMessage}, by `signWith` (default the owner's certificate key).
 */
export function keyBinding(owner: KeyOwner, spki: string, version = 1, signWith?: KeyObject): string {
  const key = parseEncryptionKey(spki, '');
  const message = keyBindingMessage({
    userId: owner.id,
    mspId: owner.msp,
    spki: key.spki,
    fingerprint: key.fingerprint,
    version,
  });
  return sign('sha256', message, {
    key: signWith ?? owner.identity.privateKey,
    dsaEncoding: 'ieee-p1363',
  }).toString('base64');
}

/**
 * Organisations with their own test CAs, admins, gateways and users, for unit
 * tests over {@link MapStub}. `people` maps a name to `[mspId, role]`.
 */
export class TestConsortium {
  private readonly admins = new Map<string, TestIdentity>();
  private readonly gateways = new Map<string, TestGateway>();
  private readonly people = new Map<string, Person>();
  private readonly cas = new Map<string, TestCa>();

  static async create(people: Record<string, [string, string]>): Promise<TestConsortium> {
    const consortium = new TestConsortium();
    const cas = consortium.cas;
    for (const [name, [msp, role]] of Object.entries(people)) {
      let ca = cas.get(msp);
      if (!ca) {
        ca = await createCa(msp.toLowerCase());
        cas.set(msp, ca);
        consortium.admins.set(
          msp,
          await issueIdentity(ca, `admin.${msp}`, { role: 'admin', powers: 'admin', ou: 'admin' }),
        );
        await consortium.reenrollGateway(msp);
      }
      // As the bootstrap registrar issues them: an admin or gateway role comes with its powers.
      const privileged = role === 'admin' || role === 'gateway';
      const identity = await issueIdentity(ca, `u-${name}`, {
        role,
        ...(privileged ? { powers: role, ...(role === 'admin' ? { ou: 'admin' } : {}) } : {}),
      });
      consortium.people.set(name, { name, msp, role, identity, id: ledgerId(msp, identity.pem) });
    }
    return consortium;
  }

  person(name: string): Person {
    const p = this.people.get(name);
    if (!p) throw new Error(`no test person ${name}`);
    return p;
  }

  admin(msp: string): TestIdentity {
    const a = this.admins.get(msp);
    if (!a) throw new Error(`no test admin for ${msp}`);
    return a;
  }

  /** The gateway service of `msp`. */
  gateway(msp: string): TestGateway {
    const g = this.gateways.get(msp);
    if (!g) throw new Error(`no test gateway for ${msp}`);
    return g;
  }

  /**
   * Enrols the gateway of `msp` (again): a new key pair and certificate with
   * the same subject and issuer, hence the same gateway id. Returns the new one.
   */
  async reenrollGateway(msp: string): Promise<TestGateway> {
    const ca = this.cas.get(msp);
    if (!ca) throw new Error(`no test CA for ${msp}`);
    const identity = await issueIdentity(ca, `gateway.${msp}`, { role: 'gateway', powers: 'gateway' });
    const gateway = { msp, identity, id: ledgerId(msp, identity.pem) };
    this.gateways.set(msp, gateway);
    return gateway;
  }

  /** The gateway of `msp` announces itself (attestation:AnnounceGateway). */
  async announceGateway(stub: MapStub, msp: string): Promise<void> {
    const g = this.gateway(msp);
    await new AttestationContract().AnnounceGateway(stub.begin(msp, g.identity.pem));
  }

  /**
   * A certificate of `msp`'s CA that claims `role` without the powers
   * attribute: what an organisation's registrar, which may write only `role`,
   * could issue.
   */
  async issueUnpowered(msp: string, cn: string, role: 'admin' | 'gateway'): Promise<TestIdentity> {
    const ca = this.cas.get(msp);
    if (!ca) throw new Error(`no test CA for ${msp}`);
    return issueIdentity(ca, cn, { role, ...(role === 'admin' ? { ou: 'admin' } : {}) });
  }

  /** The holder of `identity`, a certificate of `msp`, as a key owner. */
  ownerOf(msp: string, identity: TestIdentity): KeyOwner {
    return { id: ledgerId(msp, identity.pem), msp, identity };
  }

  /** The admin of `msp` as a key owner: its ledger id, organisation and certificate. */
  adminOwner(msp: string): KeyOwner {
    return this.ownerOf(msp, this.admin(msp));
  }

  /** The admin of `msp` registers itself (registry:RegisterSelf), as every admin must before it acts. */
  async registerAdmin(stub: MapStub, msp: string, spki = encryptionKey()): Promise<void> {
    const owner = this.adminOwner(msp);
    await new RegistryContract().RegisterSelf(
      stub.begin(msp, owner.identity.pem),
      spki,
      keyBinding(owner, spki),
    );
  }

  /** `name` registers themselves (registry:RegisterSelf) with `spki` and a valid key binding. */
  async registerSelf(stub: MapStub, name: string, spki = encryptionKey()): Promise<void> {
    const p = this.person(name);
    await new RegistryContract().RegisterSelf(this.as(stub, name), spki, keyBinding(p, spki));
  }

  /**
   * Registers everyone but `except`, each by themselves (registry:RegisterSelf
   * with their own key binding; people with the gateway role announce
   * themselves), registers every organisation's admin, and announces every
   * organisation's gateway unless `gateways` is false.
   */
  async registerAll(stub: MapStub, except: string[] = [], gateways = true): Promise<void> {
    for (const p of this.people.values()) {
      if (except.includes(p.name)) continue;
      if (p.role === 'gateway') {
        await new AttestationContract().AnnounceGateway(this.as(stub, p.name));
      } else {
        await this.registerSelf(stub, p.name);
      }
    }
    for (const msp of this.admins.keys()) {
      await this.registerAdmin(stub, msp);
    }
    if (gateways) {
      for (const msp of this.gateways.keys()) {
        await this.announceGateway(stub, msp);
      }
    }
  }

  /**
   * The transient `attestation` entry the gateway of `person`'s organisation
   * would sign for `person` and `action`, valid from the time of the stub's
   * next transaction (`secondsLater` after its current one) for two minutes.
   */
  attest(
    stub: MapStub,
    person: Person | string,
    action: AttestedAction,
    options: AttestOptions = {},
  ): AttestationInput {
    const p = typeof person === 'string' ? this.person(person) : person;
    const gateway = this.gateway(options.gatewayMsp ?? p.msp);
    const at = (stub.seconds + (options.secondsLater ?? 1)) * 1000;
    const claim: Record<string, unknown> = {
      v: 1,
      action,
      userId: p.id,
      deviceId: hex(`device of ${p.name}`),
      postureHash: hex(`posture of ${p.name} at ${String(at)}`),
      factorHash: hex(`second factor of ${p.name} at ${String(at)}`),
      nonce: randomBytes(16).toString('base64url'),
      issuedAt: new Date(at).toISOString(),
      expiresAt: new Date(at + 120_000).toISOString(),
      ...options.claim,
    };
    const text = JSON.stringify(claim);
    return {
      claim: text,
      signature: sign('sha256', Buffer.from(text, 'utf8'), {
        key: options.signWith ?? gateway.identity.privateKey,
        dsaEncoding: 'der',
      }).toString('base64'),
      gatewayId: options.gatewayId ?? gateway.id,
    };
  }

  /** Begins a transaction by `name`, with a valid attestation when `attest` names an action. */
  as(stub: MapStub, name: string, options: BeginOptions = {}): Context {
    const p = this.person(name);
    const secondsLater = options.secondsLater ?? 1;
    const transient = { ...options.transient };
    if (options.attest !== undefined) {
      transient.attestation = this.attest(stub, p, options.attest, { secondsLater });
    }
    return stub.begin(p.msp, p.identity.pem, secondsLater, transient);
  }

  /** The envelope `from` deposits to send record `recordId` to `to` (names of people). */
  transferEnvelope(
    from: string,
    to: string,
    recordId: string,
    contentHash: string,
    overrides: Partial<EnvelopeInput> = {},
  ): Deposit {
    const record = { recordId, contentHash, sender: from, recipient: to };
    return this.readerEnvelope(record, to, this.person(from).id, overrides);
  }

  /** `from` deposits the envelope of record `recordId` for `to` (transfer:DepositEnvelope), as a device does first. */
  async deposit(
    stub: MapStub,
    from: string,
    to: string,
    recordId: string,
    contentHash: string,
    overrides: Partial<EnvelopeInput> = {},
  ): Promise<Deposit> {
    const deposit = this.transferEnvelope(from, to, recordId, contentHash, overrides);
    await new TransferContract().DepositEnvelope(
      this.as(stub, from, { transient: { envelope: deposit.envelope } }),
      recordId,
      this.person(to).id,
    );
    return deposit;
  }

  /**
   * `from` sends record `recordId` to `to` (names of people), as a device does:
   * deposits the envelope, then records the transfer, attested by `from`'s gateway.
   */
  async send(...args: Parameters<TestConsortium['deposit']>): Promise<Deposit> {
    const [stub, from, to, recordId, contentHash] = args;
    const deposit = await this.deposit(...args);
    await new TransferContract().Send(
      this.as(stub, from, { attest: 'send' }),
      recordId,
      this.person(to).id,
      contentHash,
      deposit.hash,
    );
    return deposit;
  }

  /** The recipient `grantor` deposits the envelope for `grantee` of a record it received from `sender` (access:DepositGrantEnvelope). */
  async depositGrant(
    ...[stub, grantor, grantee, sender, recordId, contentHash, overrides = {}]: [
      ...GrantArguments,
      overrides?: Partial<EnvelopeInput>,
    ]
  ): Promise<Deposit> {
    const record = { recordId, contentHash, sender, recipient: grantor };
    const deposit = this.readerEnvelope(record, grantee, this.person(grantor).id, overrides);
    await new AccessContract().DepositGrantEnvelope(
      this.as(stub, grantor, { transient: { envelope: deposit.envelope } }),
      recordId,
      this.person(grantee).id,
    );
    return deposit;
  }

  /** The recipient `grantor` grants `grantee` access to a record it received from `sender`, for `days`: deposit, then grant. */
  async grant(
    ...[stub, grantor, grantee, sender, recordId, contentHash, days = 30]: [...GrantArguments, days?: number]
  ): Promise<Deposit> {
    const deposit = await this.depositGrant(stub, grantor, grantee, sender, recordId, contentHash);
    const expiresAt = new Date((stub.seconds + 1 + days * 86400) * 1000).toISOString();
    await new AccessContract().GrantAccess(
      this.as(stub, grantor),
      recordId,
      this.person(grantee).id,
      'TREAT',
      expiresAt,
      deposit.hash,
    );
    return deposit;
  }

  /**
   * The emergency key set of the organisation of `holders` (names of its
   * admins): proposed by the first, approved by `approver` (the second by
   * default). Returns its version.
   */
  async setKeySet(stub: MapStub, holders: string[], threshold = 2, approver = holders[1]): Promise<number> {
    const keysets = new EmergencyKeySetContract();
    const [proposer] = holders;
    if (proposer === undefined || approver === undefined) throw new Error('a key set needs two admins');
    const proposal = JSON.parse(
      await keysets.ProposeKeySet(
        this.as(stub, proposer),
        JSON.stringify(holders.map((h) => this.person(h).id)),
        threshold,
      ),
    ) as { version: number };
    await keysets.ApproveKeySet(this.as(stub, approver), proposal.version);
    return proposal.version;
  }

  /**
   * `holder`'s key share of a record `sender` sent to `recipient`, for
   * `doctor` of a break-glass opening in force (emergency:DepositKeyShare):
   * random parts, as a holder's device would re-wrap them.
   */
  async depositKeyShare(
    stub: MapStub,
    holder: string,
    doctor: string,
    recipient: string,
    sender: string,
    recordId: string,
    contentHash: string,
    overrides: Partial<EnvelopeInput> = {},
  ): Promise<Deposit> {
    const holderId = this.person(holder).id;
    const record = { recordId, contentHash, sender, recipient };
    const deposit = this.readerEnvelope(record, doctor, holderId, {
      wrappedKey: undefined,
      keyShare: {
        holderId,
        keySetVersion: 1,
        check: randomBytes(32).toString('base64'),
        parts: [
          { subset: 0, holders: [holderId, '0'.repeat(64)], wrapped: randomBytes(106).toString('base64') },
        ],
      },
      ...overrides,
    });
    await new EmergencyContract().DepositKeyShare(
      this.as(stub, holder, { transient: { envelope: deposit.envelope } }),
      recordId,
      this.person(doctor).id,
    );
    return deposit;
  }

  /** As {@link depositKeyShare}, then the holder contributes it (emergency:ContributeKeyShare). */
  async contributeKeyShare(
    ...args: Parameters<TestConsortium['depositKeyShare']>
  ): Promise<{ deposit: Deposit; released: boolean }> {
    const [stub, holder, doctor, , , recordId] = args;
    const deposit = await this.depositKeyShare(...args);
    const result = JSON.parse(
      await new EmergencyContract().ContributeKeyShare(
        this.as(stub, holder),
        recordId,
        this.person(doctor).id,
        deposit.envelope.keyShare?.keySetVersion ?? 1,
        deposit.hash,
      ),
    ) as { released: boolean };
    return { deposit, released: result.released };
  }

  /** Two holders (names of admins of the recipient's organisation) contribute their shares: the key is released. */
  async releaseBreakGlassKey(
    stub: MapStub,
    holders: [string, string],
    ...rest: [doctor: string, recipient: string, sender: string, recordId: string, contentHash: string]
  ): Promise<void> {
    for (const holder of holders) await this.contributeKeyShare(stub, holder, ...rest);
  }

  /**
   * The whole erasure of `recordId`: `recipient` asks, an admin of each
   * organisation holding the record confirms, and the recipient
   * organisation's admin reports the storage cleared with `evidence`.
   */
  async erase(
    stub: MapStub,
    recipient: string,
    recordId: string,
    evidence = TEST_STORAGE_EVIDENCE,
  ): Promise<void> {
    const erasure = new ErasureContract();
    const reasonHash = createHash('sha256').update('the patient asked').digest('hex');
    const requested = JSON.parse(
      await erasure.RequestErasure(this.as(stub, recipient), recordId, reasonHash),
    ) as {
      required: string[];
    };
    for (const msp of requested.required) {
      await erasure.ConfirmErasure(stub.begin(msp, this.admin(msp).pem), recordId);
    }
    const msp = this.person(recipient).msp;
    await erasure.CompleteErasure(stub.begin(msp, this.admin(msp).pem), recordId, JSON.stringify(evidence));
  }

  /**
   * The envelope of `record` for `reader` (names of people) that `depositorId`
   * writes: the data key wrapped for the reader, with the sender's signature
   * for the recipient, as the recipient's device passes it on.
   */
  private readerEnvelope(
    record: { recordId: string; contentHash: string; sender: string; recipient: string },
    reader: string,
    depositorId: string,
    overrides: Partial<EnvelopeInput>,
  ): Deposit {
    const { recordId, contentHash } = record;
    const sender = this.person(record.sender);
    return envelopeRecord(
      this.envelope(sender, recordId, this.person(record.recipient).id, contentHash, overrides),
      {
        recordId,
        readerId: this.person(reader).id,
        senderId: sender.id,
        contentHash,
        depositorId,
      },
    );
  }

  /** An envelope signed by `signer` over (recordId, CID, contentHash, recipientId). */
  envelope(
    signer: Person,
    recordId: string,
    recipientId: string,
    contentHash: string,
    overrides: Partial<EnvelopeInput> = {},
  ): EnvelopeInput {
    const message = signedMessage(recordId, overrides.cid ?? TEST_CID, contentHash, recipientId);
    return {
      cid: TEST_CID,
      size: 1234,
      mediaType: 'application/dicom',
      wrappedKey: randomBytes(100).toString('base64'),
      signature: sign('sha256', message, {
        key: signer.identity.privateKey,
        dsaEncoding: 'ieee-p1363',
      }).toString('base64'),
      salt: randomBytes(16).toString('base64'),
      ...overrides,
    };
  }
}

/** An envelope as a depositor's device writes it, and its SHA-256 as the public record names it. */
export interface Deposit {
  envelope: EnvelopeRecord;
  hash: string;
}

/** The whole envelope record a depositor's device writes for `parties`, and its SHA-256 as the public record names it. */
export function envelopeRecord(input: EnvelopeInput, parties: EnvelopeParties): Deposit {
  const envelope: EnvelopeRecord = { docType: 'envelope', ...parties, ...input };
  return { envelope, hash: envelopeHashOf(marshal(envelope)) };
}
