import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { enrollUser, orgAdmin, type IdentityFiles, type OrgPlan } from 'medshare-network';
import { connectGateway, type GatewayConnection } from '../support/gateway';
import { REPO_DIR, startTestNetwork, type TestNetwork } from '../support/network';
import { chaincodeMessage, encryptionKey } from '../support/chaincode';

const decoder = new TextDecoder();

describe('user registry on a real network (direct gateway callers, no app in between)', () => {
  let net: TestNetwork;
  let orgA: OrgPlan;
  let orgB: OrgPlan;
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

  /** `caller` of `org` tries to register hospital A's technologist. */
  const registerTechnologistAs = async (org: OrgPlan, caller: IdentityFiles) =>
    (await as(org, caller)).submitTransaction(
      'RegisterUser',
      await readFile(technologist.signCert, 'utf8'),
      'technologist',
      encryptionKey(),
    );

  before(async () => {
    net = await startTestNetwork('raft');
    const [a, b] = net.plan.peerOrgs;
    assert.ok(a && b);
    orgA = a;
    orgB = b;
    doctor = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-doctor-a', 'doctor');
    technologist = await enrollUser(REPO_DIR, net.plan, net.bin, orgA.key, 'u-tech-a', 'technologist');
  });

  after(async () => {
    open.forEach((c) => {
      c.close();
    });
    await net.down();
  });

  it('lets an organisation admin register its user, who then finds their entry', async () => {
    const registry = await as(orgA, orgAdmin(orgA));
    await registry.submitTransaction(
      'RegisterUser',
      await readFile(doctor.signCert, 'utf8'),
      'doctor',
      encryptionKey(),
    );
    const me = JSON.parse(
      decoder.decode(await (await as(orgA, doctor)).evaluateTransaction('WhoAmI')),
    ) as Record<string, string>;
    assert.equal(me.role, 'doctor');
    assert.equal(me.mspId, orgA.mspId);
    assert.equal(me.status, 'active');
  });

  it('refuses a non-admin who calls RegisterUser directly', async () => {
    await assert.rejects(registerTechnologistAs(orgA, doctor), (e: unknown) =>
      chaincodeMessage(e).includes('ACCESS_DENIED: role doctor may not registerUser'),
    );
  });

  it("refuses another organisation's admin registering this organisation's user", async () => {
    await assert.rejects(registerTechnologistAs(orgB, orgAdmin(orgB)), (e: unknown) =>
      chaincodeMessage(e).includes('registers only users enrolled by its own CA'),
    );
  });

  it('stops a suspended user at once', async () => {
    const admin = await as(orgA, orgAdmin(orgA));
    const me = JSON.parse(decoder.decode(await (await as(orgA, doctor)).evaluateTransaction('WhoAmI'))) as {
      userId: string;
    };
    await admin.submitTransaction('SuspendUser', me.userId);
    await assert.rejects(
      (await as(orgA, doctor)).submitTransaction('RotateEncryptionKey', encryptionKey()),
      (e: unknown) => chaincodeMessage(e).includes('ACCESS_DENIED: the caller is suspended'),
    );
  });
});
