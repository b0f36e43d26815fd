import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { userIdOf } from '../identity';
import { AccessContract } from '../access-contract';
import { RegistryContract } from '../registry-contract';
import { TransferContract } from '../transfer-contract';
import { signedMessage, type EnvelopeInput } from '../transfer';
import { createCa, issueIdentity, type TestCa, type TestIdentity } from './certificates';
import { MapStub } from './stub';

/** A user of the test consortium. */
export interface Person {
  name: string;
  msp: string;
  role: string;
  identity: TestIdentity;
  /** Ledger id, as the chaincode derives it. */
  id: string;
}

/** A fixed test CID (CIDv1, base32). */
export const TEST_CID = 'bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi';

/** A fresh public encryption key, base64 SPKI. */
export function encryptionKey(): string {
  return generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
    .publicKey.export({ format: 'der', type: 'spki' })
    .toString('base64');
}

/**
 * Organisations with their own test CAs, admins and users, for unit tests over
 * {@link MapStub}. `people` maps a name to `[mspId, role]`.
 */
export class TestConsortium {
  private readonly admins = new Map<string, TestIdentity>();
  private readonly people = new Map<string, Person>();

  static async create(people: Record<string, [string, string]>): Promise<TestConsortium> {
    const consortium = new TestConsortium();
    const cas = new Map<string, TestCa>();
    for (const [name, [msp, role]] of Object.entries(people)) {
      let ca = cas.get(msp);
      if (!ca) {
        ca = await createCa(msp.toLowerCase());
        cas.set(msp, ca);
        consortium.admins.set(msp, await issueIdentity(ca, `admin.${msp}`, { role: 'admin', ou: 'admin' }));
      }
      const identity = await issueIdentity(ca, `u-${name}`, { role });
      const ctx = new MapStub().begin(msp, identity.pem);
      consortium.people.set(name, {
        name,
        msp,
        role,
        identity,
        id: userIdOf(msp, ctx.clientIdentity.getID()),
      });
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

  /** Registers everyone but `except` through the registry contract. */
  async registerAll(stub: MapStub, except: string[] = []): Promise<void> {
    const registry = new RegistryContract();
    for (const p of this.people.values()) {
      if (except.includes(p.name)) continue;
      await registry.RegisterUser(
        stub.begin(p.msp, this.admin(p.msp).pem),
        p.identity.pem,
        p.role,
        encryptionKey(),
      );
    }
  }

  /** `from` sends record `recordId` to `to` (names of people). */
  async send(
    stub: MapStub,
    from: string,
    to: string,
    recordId: string,
    contentHash: string,
    overrides: Partial<EnvelopeInput> = {},
  ): Promise<void> {
    const sender = this.person(from);
    const recipient = this.person(to);
    const envelope = this.envelope(sender, recordId, recipient.id, contentHash, overrides);
    await new TransferContract().Send(
      stub.begin(sender.msp, sender.identity.pem, 1, { envelope }),
      recordId,
      recipient.id,
      contentHash,
    );
  }

  /** The recipient `grantor` grants `grantee` access to a record it received from `sender`, for `days`. */
  async grant(
    stub: MapStub,
    grantor: string,
    grantee: string,
    sender: string,
    recordId: string,
    contentHash: string,
    days = 30,
  ): Promise<void> {
    const g = this.person(grantor);
    const envelope = this.envelope(this.person(sender), recordId, g.id, contentHash);
    const expiresAt = new Date((stub.seconds + 1 + days * 86400) * 1000).toISOString();
    await new AccessContract().GrantAccess(
      stub.begin(g.msp, g.identity.pem, 1, { envelope }),
      recordId,
      this.person(grantee).id,
      'TREAT',
      expiresAt,
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
