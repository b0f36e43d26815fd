import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { UserRecord } from 'medshare-chaincode';
import { enrollUser, orgAdmin, type IdentityFiles, type OrgPlan } from 'medshare-network';
import { connectGateway, type GatewayConnection } from '../support/gateway';
import { REPO_DIR, startTestNetwork, type TestNetwork } from '../support/network';
import { chaincodeMessage, encryptionKey } from '../support/chaincode';
import { forgedIdentities, reenrol, registerAsOrgAdmin } from './rogue-identities';
import { boundKey, keyOwner, registerSelf, signingKeyOf, type KeyOwner } from './self-registration';

const decoder = new TextDecoder();

describe('user registry on a real network (direct gateway callers, no app in between)', () => {
  let net: TestNetwork;
  let orgA: OrgPlan;
  let doctor: IdentityFiles;
  let technologist: IdentityFiles;
  const open: GatewayConnection[] = [];

  const as = async (org: OrgPlan, user: IdentityFiles) => {
    const peer = org.nodes[0];
    assert.ok(peer);
    const connection = await connectGateway(org, peer, user);
    open.push(connection);
    return connection.gateway.getNetwork(net.plan.channel).getContract(net.plan.chaincode.name, 'registry');
  };

  const whoAmI = async (org: OrgPlan, user: IdentityFiles): Promise<UserRecord> =>
    JSON.parse(decoder.decode(await (await as(org, user)).evaluateTransaction('WhoAmI'))) as UserRecord;

  /** `caller` of `org` calls RotateEncryptionKey with a new key and `owner`'s binding of it at `version`. */
  const rotateAs = async (org: OrgPlan, caller: IdentityFiles, owner: KeyOwner, version: number) => {
    const spki = encryptionKey();
    await (await as(org, caller)).submitTransaction('RotateEncryptionKey', ...boundKey(owner, spki, version));
    return spki;
  };

  before(async () => {
    net = await startTestNetwork('raft');
    const [a] = net.plan.peerOrgs;
    assert.ok(a);
    orgA = a;
    doctor = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-doctor-a', 'doctor');
    technologist = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-tech-a', 'technologist');
    // An admin acts only through its own registry entry, which it registers as everyone does.
    await registerSelf(await as(orgA, orgAdmin(orgA)), await keyOwner(orgA.mspId, orgAdmin(orgA)));
  });

  after(async () => {
    open.forEach((c) => {
      c.close();
    });
    await net.down();
  });

  it('lets a user register themselves with their own key binding, and find their entry', async () => {
    const spki = encryptionKey();
    const userId = await registerSelf(await as(orgA, doctor), await keyOwner(orgA.mspId, doctor), spki);
    const me = await whoAmI(orgA, doctor);
    assert.equal(me.userId, userId);
    assert.equal(me.role, 'doctor');
    assert.equal(me.mspId, orgA.mspId);
    assert.equal(me.status, 'active');
    assert.equal(me.encryptionKey.spki, spki);
    assert.equal(me.encryptionKey.version, 1);
    assert.ok(
      !JSON.stringify(me).includes('BEGIN CERTIFICATE'),
      'the certificate (it names the login) stays off the ledger',
    );
  });

  it('refuses a registration whose key binding another key signed', async () => {
    const owner = { ...(await keyOwner(orgA.mspId, technologist)), key: await signingKeyOf(orgAdmin(orgA)) };
    await assert.rejects(registerSelf(await as(orgA, technologist), owner), (e: unknown) =>
      chaincodeMessage(e).includes("INVALID_ARGUMENT: the key binding is not the user's signature"),
    );
  });

  it("refuses an admin setting a user's key: its entry and its key are its own", async () => {
    const admin = await keyOwner(orgA.mspId, orgAdmin(orgA));
    const entry = await whoAmI(orgA, orgAdmin(orgA));
    assert.equal(entry.role, 'admin');
    assert.equal(entry.userId, admin.userId);
    const technologistOwner = await keyOwner(orgA.mspId, technologist);
    // The technologist's binding (made with the technologist's key) submitted under the admin's certificate.
    await assert.rejects(registerSelf(await as(orgA, orgAdmin(orgA)), technologistOwner), (e: unknown) =>
      chaincodeMessage(e).includes('ALREADY_EXISTS'),
    );
    await assert.rejects(rotateAs(orgA, orgAdmin(orgA), technologistOwner, 2), (e: unknown) =>
      chaincodeMessage(e).includes("INVALID_ARGUMENT: the key binding is not the user's signature"),
    );
    await assert.rejects(whoAmI(orgA, technologist), (e: unknown) =>
      chaincodeMessage(e).includes('NOT_FOUND'),
    );
    assert.deepEqual(await whoAmI(orgA, orgAdmin(orgA)), entry);
  });

  it("lets only the CA's bootstrap registrar issue admin powers; what an organisation admin mints has no role", async () => {
    const admin = orgAdmin(orgA);
    const powers = await registerAsOrgAdmin(orgA, net.bin, admin, doctor, {
      name: 'u-minted-powers',
      attrs: 'role=admin:ecert,powers=admin:ecert',
    });
    assert.ok('refused' in powers, 'the CA refuses the powers attribute to the organisation admin');
    assert.match(powers.refused, /Authorization failure/);
    const fabricAdmin = await registerAsOrgAdmin(orgA, net.bin, admin, doctor, {
      name: 'u-minted-type',
      attrs: 'role=doctor:ecert',
      type: 'admin',
    });
    assert.ok('refused' in fabricAdmin, 'the CA refuses a Fabric admin identity to the organisation admin');
    const minted = await registerAsOrgAdmin(orgA, net.bin, admin, doctor, {
      name: 'u-minted-admin',
      attrs: 'role=admin:ecert',
    });
    assert.ok('files' in minted, 'role=admin alone is a value the organisation admin may write');
    const rogue = minted.files;
    await assert.rejects(
      async () => registerSelf(await as(orgA, rogue), await keyOwner(orgA.mspId, rogue)),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: role (none) may not registerSelf'),
    );
    const doctorId = (await whoAmI(orgA, doctor)).userId;
    await assert.rejects(
      async () => (await as(orgA, rogue)).submitTransaction('SuspendUser', doctorId),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED'),
    );
    assert.equal((await whoAmI(orgA, doctor)).status, 'active');
  });

  it("refuses the user's identity enrolled again with a new key setting their key; their own certificate can", async () => {
    const before = await whoAmI(orgA, doctor);
    const again = await reenrol(orgA, net.bin, 'u-doctor-a', doctor);
    const owner = await keyOwner(orgA.mspId, again);
    assert.equal(owner.userId, before.userId, 'the same subject and issuer, the same user');
    await assert.rejects(rotateAs(orgA, again, owner, 2), (e: unknown) =>
      chaincodeMessage(e).includes(
        'ACCESS_DENIED: the caller certificate is not the one the user registered with',
      ),
    );
    assert.deepEqual(await whoAmI(orgA, doctor), before);
    const spki = await rotateAs(orgA, doctor, await keyOwner(orgA.mspId, doctor), 2);
    const after = await whoAmI(orgA, doctor);
    assert.equal(after.encryptionKey.spki, spki);
    assert.equal(after.encryptionKey.version, 2);
    assert.deepEqual(
      after.keyHistory.map((k) => k.spki),
      [before.encryptionKey.spki],
    );
  });

  it("refuses a self-made certificate naming the organisation's CA: Fabric rejects the creator", async (t) => {
    const forged = await forgedIdentities(orgA, doctor);
    for (const files of [forged.ca, forged.doctor]) {
      await assert.rejects(
        async () => registerSelf(await as(orgA, files), await keyOwner(orgA.mspId, files)),
        (e: unknown) => {
          const message = chaincodeMessage(e);
          t.diagnostic(message);
          // Seen: 'access denied: channel [medshare] creator org [HospitalAMSP]' (the self-signed one),
          // and '... creator org unknown, creator is malformed' (the one it issued).
          assert.match(message, /error validating proposal: access denied: .*creator/);
          assert.doesNotMatch(message, /INVALID_ARGUMENT|ALREADY_EXISTS/);
          return true;
        },
      );
    }
  });

  it('stops a suspended user at once', async () => {
    const admin = await as(orgA, orgAdmin(orgA));
    const me = await whoAmI(orgA, doctor);
    await admin.submitTransaction('SuspendUser', me.userId);
    await assert.rejects(rotateAs(orgA, doctor, await keyOwner(orgA.mspId, doctor), 3), (e: unknown) =>
      chaincodeMessage(e).includes('ACCESS_DENIED: the caller is suspended'),
    );
  });
});
