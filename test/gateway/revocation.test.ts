import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import type { Contract } from '@hyperledger/fabric-gateway';
import { identityOfCertificate } from 'medshare-chaincode/dist/identity';
import {
  ApiError,
  caAuthToken,
  callLedger,
  connectAs,
  connectFabric,
  parseResult,
  type AgentServer,
} from 'medshare-gateway-app';
import { gatewayIdentity, identityFiles, orgAdmin, type IdentityFiles, type OrgPlan } from 'medshare-network';
import { registrarEnv } from 'medshare-network/dist/env';
import { keyOwner, registerSelf } from '../chaincode/self-registration';
import { encryptionKey, selfRegistration } from '../support/chaincode';
import {
  enrolTestUser,
  httpDeviceAgent,
  operatorOf,
  signIn,
  startDeviceAgent,
  startGateway,
  type RunningGateway,
  type TestUser,
} from '../support/medshare';
import { networkCli, startTestNetwork, type TestNetwork } from '../support/network';

const decoder = new TextDecoder();

/** What peers answer a creator whose certificate they do not accept (a revoked one among them). */
const CREATOR_REFUSED = /access denied: channel \[[^\]]+\] creator org/;

/** The message of a Fabric error, with the peers' details. */
function fabricMessage(error: unknown): string {
  const details = (error as { details?: { message?: string }[] }).details ?? [];
  return [
    error instanceof Error ? error.message : String(error),
    ...details.map((d) => d.message ?? ''),
  ].join('\n');
}

/** Waits until `call` fails with the gateway's error `code`, and returns that error. */
async function untilRefused(call: () => Promise<unknown>, code: string): Promise<ApiError> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      await call();
    } catch (error) {
      if (error instanceof ApiError && error.code === code) return error;
      if (!(error instanceof ApiError)) throw error;
    }
    if (Date.now() > deadline) assert.fail(`the gateway never answered ${code}`);
    await sleep(200);
  }
}

/**
 * `network revoke` on a live network: the CA revokes, the CRL goes into the
 * organisation's MSP in the channel configuration, and then the peers refuse
 * the identity, the gateway ends its sessions, and its registry entry is
 * suspended. Also: invitations cannot make admins or gateways.
 */
describe('revoking identities on a live network', { timeout: 900_000 }, () => {
  let network: TestNetwork;
  let org: OrgPlan;
  let gw: RunningGateway;
  let agent: AgentServer;
  let operator: TestUser;
  let doctor: TestUser;

  /** The chaincode as `files` (an identity of `org`) sees it, straight from its peer. */
  const contractAs = async (files: Parameters<typeof connectAs>[2]): Promise<Contract> => {
    const peer = org.nodes[0];
    assert.ok(peer);
    const connection = await connectAs(org, peer, files);
    after(() => {
      connection.close();
    });
    return connection.gateway.getNetwork(network.plan.channel).getContract(network.plan.chaincode.name);
  };

  before(async () => {
    network = await startTestNetwork('raft');
    const first = network.plan.peerOrgs[0];
    assert.ok(first);
    org = first;
    gw = await startGateway(network.plan, {
      GATEWAY_ORGANISATION: org.mspId,
      GATEWAY_REVOCATION_POLL_MS: '300',
    });
    operator = await operatorOf(gw, org, httpDeviceAgent('http://127.0.0.1:1'));
    agent = await startDeviceAgent(gw, operator, 'device.revocation');
    operator.agent = httpDeviceAgent(agent.url);
    doctor = await enrolTestUser(gw, operator, 'doctor.revoked', 'doctor', operator.agent);
  });

  after(async () => {
    await agent.close();
    await gw.close();
    await network.down();
  });

  it('invites only clinical roles: an admin or gateway invitation is refused and the CA never hears of it', async () => {
    for (const role of ['admin', 'gateway']) {
      const id = `rogue.${role}`;
      const body = JSON.stringify({
        id,
        type: 'client',
        affiliation: '',
        max_enrollments: 1,
        attrs: [{ name: 'role', value: role, ecert: true }],
        caname: org.ca.name,
      });
      const authorization = await caAuthToken(operator.keys.signer, 'POST', '/api/v1/register', body);
      await assert.rejects(operator.client.registerUser({ body, authorization }), (e: unknown) => {
        assert.ok(e instanceof ApiError);
        assert.equal(e.status, 400);
        assert.equal(e.code, 'INVALID_ROLE');
        return true;
      });
      const env = registrarEnv(org, network.bin);
      await assert.rejects(
        promisify(execFile)(join(env.FABRIC_CA_BIN ?? '', 'fabric-ca-client'), [
          'identity',
          'list',
          '--id',
          id,
          '--home',
          env.REGISTRAR_HOME ?? '',
          '-u',
          org.ca.url,
          '--caname',
          org.ca.name,
          '--tls.certfiles',
          org.caCertFile,
        ]),
        /not found|does not exist|Failed to get/i,
      );
    }
  });

  it('records failed device checks only for records the user has a part in, and only ten per user per window', async () => {
    const failed = async (recordId?: string): Promise<ApiError> => {
      try {
        await doctor.client.verifyDevice({}, 'access', recordId);
      } catch (error) {
        assert.ok(error instanceof ApiError);
        return error;
      }
      return assert.fail('an empty report passed');
    };
    // A record nobody sent: the ledger refuses to hold a refusal for it, so none is recorded.
    const stranger = await failed('rNobodyEverSentThis01');
    assert.deepEqual([stranger.status, stranger.code], [403, 'DEVICE_CHECK_FAILED']);
    assert.equal(stranger.details.refusalTxId, undefined);
    const recorded: string[] = [];
    for (let i = 1; i < 10; i++) {
      const refusal = await failed();
      assert.equal(refusal.code, 'DEVICE_CHECK_FAILED');
      recorded.push(String(refusal.details.refusalTxId));
    }
    assert.ok(recorded.every((txId) => /^[0-9a-f]{64}$/.test(txId)));
    const past = await failed();
    assert.deepEqual([past.status, past.code], [429, 'TOO_MANY_REFUSALS']);
    assert.equal(past.details.refusalTxId, undefined);
  });

  it('revokes a doctor: the peers refuse their next transaction, their session ends, and they cannot sign in again', async () => {
    await doctor.client.me();
    const peer = org.nodes[0];
    assert.ok(peer);
    const admin = orgAdmin(org);
    const [tlsRootCert, tlsClientCert, tlsClientKey] = await Promise.all([
      readFile(org.caCertFile),
      readFile(admin.tls.cert),
      readFile(admin.tls.key),
    ]);
    const privateKey = KeyObject.from(doctor.keys.signer.privateKey).export({ type: 'pkcs8', format: 'pem' });
    const fabric = connectFabric({
      peerAddress: peer.address,
      tlsRootCert,
      tlsClientCert,
      tlsClientKey,
      mspId: org.mspId,
      certificate: Buffer.from(doctor.keys.signer.certificatePem),
      privateKey: Buffer.from(privateKey),
    });
    after(() => {
      fabric.close();
    });
    const asDoctor = fabric.gateway.getNetwork(network.plan.channel).getContract(network.plan.chaincode.name);
    const { userId } = identityOfCertificate(org.mspId, doctor.keys.signer.certificatePem);
    const before = JSON.parse(decoder.decode(await asDoctor.evaluateTransaction('registry:WhoAmI'))) as {
      status: string;
    };
    assert.equal(before.status, 'active');

    const revoked = await networkCli(['revoke', '--org', org.key, doctor.name, ...network.args]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Peers and orderers refuse doctor\.revoked from configuration block \d+/);
    assert.match(revoked.stdout, new RegExp(`Registry entry ${userId}: suspended`));

    // The peers themselves: the doctor's next transaction, properly signed, is refused.
    const spki = encryptionKey();
    await assert.rejects(
      asDoctor.submitTransaction(
        'registry:RotateEncryptionKey',
        ...selfRegistration(
          org.mspId,
          doctor.keys.signer.certificatePem,
          KeyObject.from(doctor.keys.signer.privateKey),
          spki,
          2,
        ),
      ),
      (e: unknown) => CREATOR_REFUSED.test(fabricMessage(e)),
    );
    // The gateway: the session ends, and signing in again goes no further than the password.
    const ended = await untilRefused(() => doctor.client.me(), 'IDENTITY_REVOKED');
    assert.equal(ended.status, 401);
    await assert.rejects(doctor.client.me(), (e: unknown) => e instanceof ApiError && e.status === 401);
    await assert.rejects(
      signIn(gw, doctor),
      (e: unknown) => e instanceof ApiError && e.code === 'IDENTITY_REVOKED',
    );
    // The ledger: the doctor's entry is suspended, so no one sends to them any more.
    const entry = parseResult(
      await callLedger(operator.client, operator.keys, 'registry:GetUser', [userId]),
    ) as {
      status: string;
    };
    assert.equal(entry.status, 'suspended');
  });

  it('makes admins and gateways only with the bootstrap registrar, as registry entries a suspension stops', async () => {
    const refused = await networkCli([
      'identity',
      'add',
      '--org',
      org.key,
      '--role',
      'doctor',
      'x',
      ...network.args,
    ]);
    assert.equal(refused.code, 2);
    assert.match(refused.stderr, /--role must be admin or gateway/);
    const made = new Map<string, IdentityFiles>();
    for (const role of ['admin', 'gateway'] as const) {
      const name = `${role}3.${org.key}`;
      const added = await networkCli([
        'identity',
        'add',
        '--org',
        org.key,
        '--role',
        role,
        name,
        ...network.args,
      ]);
      assert.equal(added.code, 0, added.stderr);
      assert.match(added.stdout, new RegExp(`with ${org.ca.name}'s bootstrap registrar`));
      made.set(role, identityFiles(join(org.dir, 'users', name)));
    }
    const admin2 = made.get('admin');
    const gateway2 = made.get('gateway');
    assert.ok(admin2 && gateway2);
    const asAdmin2 = await contractAs(admin2);
    const admin2Owner = await keyOwner(org.mspId, admin2);
    await registerSelf(asAdmin2, admin2Owner, encryptionKey());
    const asGateway2 = await contractAs(gateway2);
    await asGateway2.submitTransaction('attestation:AnnounceGateway');
    const gateway2Id = (await keyOwner(org.mspId, gateway2)).userId;
    const doctorId = identityOfCertificate(org.mspId, doctor.keys.signer.certificatePem).userId;

    // The first operator suspends both, through the gateway, signed on their device.
    for (const id of [admin2Owner.userId, gateway2Id]) {
      await callLedger(operator.client, operator.keys, 'registry:SuspendUser', [id]);
    }
    const denied = (pattern: RegExp) => (e: unknown) => pattern.test(fabricMessage(e));
    await assert.rejects(
      asAdmin2.submitTransaction('registry:SuspendUser', doctorId),
      denied(/ACCESS_DENIED: the caller is suspended/),
    );
    await assert.rejects(
      asAdmin2.submitTransaction('registry:ReactivateUser', admin2Owner.userId),
      denied(/ACCESS_DENIED: the caller is suspended/),
    );
    await assert.rejects(
      asGateway2.submitTransaction('attestation:AnnounceGateway'),
      denied(/ACCESS_DENIED: the calling gateway is suspended/),
    );
    await assert.rejects(
      asGateway2.submitTransaction(
        'attestation:RecordRefusal',
        doctorId,
        'access',
        '',
        'DEVICE_UNHEALTHY',
        'device check failed',
        '',
      ),
      denied(/ACCESS_DENIED: the calling gateway is suspended/),
    );
  });

  it('prunes on the live network: login-throttle rows, and the used nonces of its own attestations', async () => {
    const round = await gw.gateway.housekeep();
    assert.deepEqual(round.problems, []);
    // Every nonce used so far belongs to a claim that is still within its retention: none is forgotten yet.
    assert.deepEqual(round.nonces, { [org.mspId]: 0 });
    assert.equal(round.throttleRows, 0);
  });

  it('revokes a gateway: the peers refuse its next transaction, its sessions end, and the ledger suspends it', async () => {
    const files = gatewayIdentity(org);
    const gatewayId = identityOfCertificate(org.mspId, await readFile(files.signCert, 'utf8')).userId;
    const asGateway = await contractAs(files);
    await asGateway.submitTransaction('attestation:AnnounceGateway');
    await operator.client.me();

    const revoked = await networkCli(['revoke', '--org', org.key, `gateway.${org.key}`, ...network.args]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`Registry entry ${gatewayId}: suspended`));

    await assert.rejects(asGateway.submitTransaction('attestation:AnnounceGateway'), (e: unknown) =>
      CREATOR_REFUSED.test(fabricMessage(e)),
    );
    const ended = await untilRefused(() => operator.client.me(), 'GATEWAY_REVOKED');
    assert.equal(ended.status, 503);
    const record = JSON.parse(
      decoder.decode(
        await (await contractAs(orgAdmin(org))).evaluateTransaction('attestation:GetGateway', gatewayId),
      ),
    ) as { status: string };
    assert.equal(record.status, 'suspended');
  });

  it('refuses to revoke the admin that signs the revocation', async () => {
    const result = await networkCli(['revoke', '--org', org.key, `admin.${org.key}`, ...network.args]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /signs the revocation and cannot revoke itself/);
  });
});
