import assert from 'node:assert/strict';
import { peer } from '@hyperledger/fabric-protos';
import { randomBytes, webcrypto } from 'node:crypto';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AgentServer, SignedResult } from 'medshare-gateway-app';
import {
  bootstrapOperatorByCli,
  CliUser,
  emergencyKeySetByCli,
  exists,
  inviteAndEnrolByCli,
  operatorsByCli,
  refusedWith,
} from '../support/cli';
import { startHostileGateway, type HostileGateway, type Tampering } from '../support/hostile-gateway';
import { startGateway, type RunningGateway } from '../support/medshare';
import { startTestNetwork, type CliResult, type TestNetwork } from '../support/network';
import {
  answerOf,
  dropEndorsements,
  endorsersOf,
  forgeSignature,
  rewriteAnswer,
} from '../support/proof-tampering';

/** What the gateway answers when a call is done, as the device receives it. */
type DoneAnswer = SignedResult;

/** An encryption public key of the attacker's own (ECDH P-256, base64 SPKI). */
async function attackerKey(): Promise<string> {
  const pair = await webcrypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, true, [
    'deriveBits',
  ]);
  return Buffer.from(await webcrypto.subtle.exportKey('spki', pair.publicKey)).toString('base64');
}

/**
 * A compromised gateway, one attack at a time, between the `medshare` CLI and
 * the real gateway on a real network: each refusal is the device's, with its
 * stable code, and nothing is sent, stored or saved. Honest calls pass
 * through the same proxy untouched.
 */
describe(
  'a hostile gateway, from the CLI: the device believes only what peers signed',
  { timeout: 900_000 },
  () => {
    let network: TestNetwork;
    let gw: RunningGateway;
    let hostile: HostileGateway;
    let dir: string;
    const agents: AgentServer[] = [];
    const operators = new Map<string, CliUser>();
    let tech: CliUser;
    let patient: CliUser;
    let doctor: CliUser;
    let auditor: CliUser;
    let recordId = '';
    /** The attack of the moment; none between tests. */
    let attack: Tampering = {};
    /** The function of each call prepared through the proxy, by signing-session id. */
    const preparedFn = new Map<string, string>();
    let lastPreparedFn = '';
    /** Each call the devices asked the proxy to prepare, in order. */
    const prepared: string[] = [];
    /** The environment that sends a user's commands through the hostile gateway. */
    const viaHostile = new Map<string, Record<string, string>>();

    const op = (key: string): CliUser => operators.get(key) ?? assert.fail(key);
    const envOf = (user: CliUser) =>
      viaHostile.get(user.name) ?? assert.fail(`${user.name} not via the proxy`);

    /** Rewrites the answer of every finished call of `fn`. */
    const onDone = (fn: string, edit: (answer: DoneAnswer) => void): Tampering => ({
      response: (method, path, status, body) => {
        if (method !== 'POST' || !path.endsWith('/signatures') || status !== 200) return undefined;
        const answer = JSON.parse(body.toString()) as DoneAnswer | { stage: string };
        if (answer.stage !== 'done' || (answer as DoneAnswer).fn !== fn) return undefined;
        edit(answer as DoneAnswer);
        return Buffer.from(JSON.stringify(answer));
      },
    });

    /** Swaps the registry entry's encryption key for the attacker's, in the gateway's word and (optionally) in the proof. */
    const swapKey = (spki: string, inProof: boolean) => (answer: DoneAnswer) => {
      const edit = (text: string) => {
        const user = JSON.parse(text) as { encryptionKey: { spki: string } };
        user.encryptionKey.spki = spki;
        return JSON.stringify(user);
      };
      answer.result = edit(answer.result);
      if (inProof) answer.proofs = answer.proofs?.map((p) => rewriteAnswer(p, edit));
    };

    before(async () => {
      network = await startTestNetwork('raft');
      gw = await startGateway(network.plan);
      dir = await mkdtemp(join(tmpdir(), 'medshare-hostile-it-'));
      hostile = await startHostileGateway(gw.url, {
        request: (method, path, body) => {
          if (method === 'POST' && path === '/api/transactions') {
            lastPreparedFn = (JSON.parse(body.toString()) as { fn: string }).fn;
            prepared.push(lastPreparedFn);
          }
          return attack.request?.(method, path, body);
        },
        response: (method, path, status, body) => {
          if (method === 'POST' && path === '/api/transactions' && status === 201) {
            preparedFn.set((JSON.parse(body.toString()) as { id: string }).id, lastPreparedFn);
          }
          return attack.response?.(method, path, status, body);
        },
        intercept: (method, path, body) => attack.intercept?.(method, path, body),
      });
      for (const [key, operator] of await operatorsByCli(gw, network.plan, dir, agents)) {
        operators.set(key, operator);
      }
      const secondA = await bootstrapOperatorByCli(
        gw,
        network.plan,
        network.plan.peerOrgs.find((o) => o.key === 'hospital-a') ?? assert.fail('no hospital-a'),
        dir,
        { second: true },
      );
      await emergencyKeySetByCli(op('hospital-a'), secondA);
      tech = await inviteAndEnrolByCli(gw, op('imaging'), 'tech1', 'technologist', dir);
      patient = await inviteAndEnrolByCli(gw, op('hospital-a'), 'patient1', 'patient', dir);
      doctor = await inviteAndEnrolByCli(gw, op('hospital-b'), 'doctor1', 'doctor', dir);
      auditor = await inviteAndEnrolByCli(gw, op('hospital-a'), 'auditor1', 'auditor', dir);
      // Each user's second workstation, whose key file names the hostile gateway.
      for (const user of [tech, patient, doctor, auditor]) {
        const file = JSON.parse(await readFile(user.keyFile, 'utf8')) as Record<string, unknown>;
        const copy = join(dir, `${user.name}-via-hostile.json`);
        await writeFile(copy, JSON.stringify({ ...file, gatewayUrl: hostile.url }), { mode: 0o600 });
        const env = { MEDSHARE_KEY_FILE: copy };
        await user.login(env);
        viaHostile.set(user.name, env);
      }
    });

    after(async () => {
      for (const agent of agents) await agent.close();
      await (hostile as HostileGateway | undefined)?.close();
      await (gw as RunningGateway | undefined)?.close();
      await (network as TestNetwork | undefined)?.down();
    });

    /** Runs `medshare ARGS` as `user` through the proxy under `tampering`, then stops the attack. */
    async function underAttack(user: CliUser, tampering: Tampering, args: string[]): Promise<CliResult> {
      attack = tampering;
      try {
        return await user.run(args, envOf(user));
      } finally {
        attack = {};
      }
    }

    it('an honest gateway behind the same proxy: a send, its inbox row and an open all pass', async () => {
      // Random bytes: sent as what they are (application/octet-stream), not named DICOM.
      const file = join(dir, 'study.bin');
      await writeFile(file, randomBytes(64 * 1024));
      const { sent } = await tech.json<{ sent: { recordId: string }[] }>(
        ['send', file, '--to', patient.userId],
        envOf(tech),
      );
      recordId = sent[0]?.recordId ?? assert.fail('nothing sent');
      const inbox = await patient.json<{ records: { recordId: string }[] }>(['inbox'], envOf(patient));
      assert.ok(inbox.records.some((r) => r.recordId === recordId));
      const out = join(dir, 'opened-honest.dcm');
      const opened = await patient.json<{ size: number }>(['open', recordId, '--out', out], envOf(patient));
      assert.equal(opened.size, 64 * 1024);
    });

    /** A send that must be refused before any ciphertext or envelope leaves the device. */
    async function refusedSend(tampering: Tampering, code: string, reason: RegExp): Promise<void> {
      const file = join(dir, `refused-${randomBytes(4).toString('hex')}.bin`);
      await writeFile(file, randomBytes(4096));
      const seenBefore = hostile.seen.length;
      const preparedBefore = prepared.length;
      refusedWith(
        await underAttack(tech, tampering, ['send', file, '--to', patient.userId]),
        1,
        code,
        reason,
      );
      const seen = hostile.seen.slice(seenBefore);
      assert.deepEqual(
        seen.filter((e) => e.path.startsWith('/api/content')),
        [],
        'no ciphertext was uploaded',
      );
      const calls = prepared.slice(preparedBefore);
      assert.ok(
        !calls.includes('transfer:DepositEnvelope') &&
          !calls.includes('transfer:Send') &&
          !calls.includes('transfer:SendLabelled'),
        'no envelope was sent',
      );
    }

    it('a recipient key swapped in the gateway’s answer: the send is refused before anything leaves (ANSWER_UNVERIFIED)', async () => {
      const spki = await attackerKey();
      await refusedSend(
        onDone('registry:GetUser', swapKey(spki, false)),
        'ANSWER_UNVERIFIED',
        /other than the one the peers signed/,
      );
    });

    it('a recipient key swapped inside the endorsed answer too: the peers’ signatures do not verify (ANSWER_UNVERIFIED)', async () => {
      const spki = await attackerKey();
      await refusedSend(
        onDone('registry:GetUser', swapKey(spki, true)),
        'ANSWER_UNVERIFIED',
        /signature of a \w+ peer does not verify/,
      );
    });

    it('a swapped emergency key share holder key: refused before anything leaves (ANSWER_UNVERIFIED)', async () => {
      const spki = await attackerKey();
      const edit = (text: string) => text.replace(/"spki":"[^"]+"/, `"spki":"${spki}"`);
      await refusedSend(
        onDone('emergencykeys:GetKeySet', (answer) => {
          assert.match(answer.result, /"spki":"/);
          answer.result = edit(answer.result);
          answer.proofs = answer.proofs?.map((p) => rewriteAnswer(p, edit));
        }),
        'ANSWER_UNVERIFIED',
        /does not verify/,
      );
    });

    it('a swapped envelope: the open is refused, no content is fetched and no file is written', async () => {
      const out = join(dir, 'opened-swapped.dcm');
      const seenBefore = hostile.seen.length;
      const edit = (text: string) =>
        text.replace(/"cid":"[^"]+"/, '"cid":"bafkreiattackerattackerattackerattackerattackerattackerat"');
      const result = await underAttack(
        patient,
        onDone('access:ReadEnvelope', (answer) => {
          answer.result = edit(answer.result);
          answer.proofs = answer.proofs?.map((p) => rewriteAnswer(p, edit));
        }),
        ['open', recordId, '--out', out],
      );
      refusedWith(result, 1, 'ANSWER_UNVERIFIED', /does not verify/);
      assert.equal(await exists(out), false);
      assert.deepEqual(
        (await readdir(dir)).filter((n) => n.startsWith('opened-swapped')),
        [],
        'no temporary file either',
      );
      assert.deepEqual(
        hostile.seen.slice(seenBefore).filter((e) => e.path.startsWith('/api/content')),
        [],
        'no ciphertext was fetched',
      );
    });

    it('a forged inbox row and a forged audit row are refused (ANSWER_UNVERIFIED)', async () => {
      const forgeSender = (text: string) => text.replaceAll(tech.userId, doctor.userId);
      const inbox = await underAttack(
        patient,
        onDone('audit:MyActivity', (answer) => {
          assert.ok(answerOf(answer.proofs?.[0] ?? '').includes(tech.userId), 'the inbox names the sender');
          answer.result = forgeSender(answer.result);
          answer.proofs = answer.proofs?.map((p) => rewriteAnswer(p, forgeSender));
        }),
        ['inbox'],
      );
      refusedWith(inbox, 1, 'ANSWER_UNVERIFIED');

      const csv = join(dir, 'trail-forged.csv');
      const hideAccess = (text: string) => text.replaceAll(patient.userId, tech.userId);
      const trail = await underAttack(
        auditor,
        onDone('audit:RecordHistory', (answer) => {
          answer.result = hideAccess(answer.result);
          answer.proofs = answer.proofs?.map((p) => rewriteAnswer(p, hideAccess));
        }),
        ['audit', 'record', recordId, '--format', 'csv', '--out', csv],
      );
      refusedWith(trail, 1, 'ANSWER_UNVERIFIED');
      assert.equal(await exists(csv), false, 'no export was written');
    });

    it('a directory entry that points a name at another user is refused (ANSWER_UNVERIFIED)', async () => {
      const honest = await tech.json<{
        users: { userId: string; enrollmentId: string; certificatePem?: string }[];
      }>(['directory'], envOf(tech));
      assert.equal(honest.users.find((u) => u.enrollmentId === 'patient1')?.userId, patient.userId);
      assert.ok(
        honest.users.every((u) => u.certificatePem === undefined),
        'certificates are checked, not printed',
      );
      // "patient1" now leads to the doctor's ledger id, with the doctor's organisation and role.
      const result = await underAttack(
        tech,
        {
          response: (method, path, status, body) => {
            if (method !== 'GET' || !path.startsWith('/api/directory') || status !== 200) return undefined;
            const listed = JSON.parse(body.toString()) as { users: Record<string, string>[] };
            const doctorEntry =
              listed.users.find((u) => u.userId === doctor.userId) ?? assert.fail('no doctor');
            for (const user of listed.users) {
              if (user.enrollmentId === 'patient1') {
                Object.assign(user, {
                  userId: doctor.userId,
                  mspId: doctorEntry.mspId,
                  role: doctorEntry.role,
                });
              }
            }
            return Buffer.from(JSON.stringify(listed));
          },
        },
        ['directory'],
      );
      refusedWith(result, 1, 'ANSWER_UNVERIFIED', /directory entry for patient1/);
    });

    it('forged, dropped, missing and out-of-policy endorsements are refused (ANSWER_UNVERIFIED)', async () => {
      const own = patient.org.mspId;
      const cases: [string, Tampering, RegExp][] = [
        [
          'a forged signature',
          onDone('registry:GetUser', (a) => {
            a.proofs = a.proofs?.map(forgeSignature);
          }),
          /does not verify/,
        ],
        [
          'the second organisation’s endorsement dropped',
          onDone('registry:GetUser', (a) => {
            assert.equal(new Set(a.proofs?.flatMap(endorsersOf)).size, 2, 'two organisations endorse a read');
            a.proofs = a.proofs?.map((p) => dropEndorsements(p, (mspId) => mspId === own));
          }),
          /fewer than the 2/,
        ],
        [
          'no proof at all',
          onDone('registry:GetUser', (a) => {
            delete a.proofs;
          }),
          /carries no endorsements/,
        ],
        [
          'endorsers the device did not ask for',
          {
            request: (method, path, body) => {
              if (method !== 'POST' || path !== '/api/transactions') return undefined;
              const call = JSON.parse(body.toString()) as { endorsers?: string[] };
              call.endorsers = network.plan.peerOrgs.map((o) => o.mspId).filter((m) => m !== own);
              return Buffer.from(JSON.stringify(call));
            },
          },
          new RegExp(`no peer of ${own} endorsed it`),
        ],
      ];
      for (const [what, tampering, reason] of cases) {
        const result = await underAttack(patient, tampering, ['whoami']);
        assert.equal(result.code, 1, what);
        refusedWith(result, 1, 'ANSWER_UNVERIFIED', reason);
      }
      assert.equal((await patient.run(['whoami', '--json'], envOf(patient))).code, 0, 'honest again');
    });

    it('a commit that never happened is not reported done (COMMIT_UNVERIFIED), and nothing was granted', async () => {
      const result = await underAttack(
        patient,
        {
          intercept: (method, path, body) => {
            const id = /^\/api\/transactions\/([^/]+)\/signatures$/.exec(path)?.[1];
            if (method !== 'POST' || !id || preparedFn.get(decodeURIComponent(id)) !== 'access:GrantAccess') {
              return undefined;
            }
            if ((JSON.parse(body.toString()) as { stage: string }).stage !== 'transaction') return undefined;
            // The transaction is never submitted; the gateway says it committed in block 5.
            const done = {
              stage: 'done',
              id,
              fn: 'access:GrantAccess',
              txId: 'f'.repeat(64),
              result: '',
              blockNumber: '5',
            };
            return { status: 200, body: Buffer.from(JSON.stringify(done)) };
          },
        },
        ['grant', recordId, '--to', doctor.userId, '--purpose', 'TREAT', '--days', '7'],
      );
      refusedWith(result, 1, 'COMMIT_UNVERIFIED', /no verified proof that [0-9a-f]{64} committed/);
      const grants = await doctor.json<{ records: { recordId: string }[] }>(['inbox', '--kind', 'grant']);
      assert.deepEqual(grants.records, [], 'the doctor holds no grant');
    });

    it('a grant whose expiry the gateway extends is refused (ANSWER_UNVERIFIED)', async () => {
      await patient.json(
        ['grant', recordId, '--to', doctor.userId, '--purpose', 'TREAT', '--days', '1'],
        envOf(patient),
      );
      const honest = await doctor.json<{ records: { recordId: string }[] }>(
        ['inbox', '--kind', 'grant'],
        envOf(doctor),
      );
      assert.deepEqual(
        honest.records.map((r) => r.recordId),
        [recordId],
      );
      const extend = (text: string) =>
        text.replace(/"expiresAt":"[^"]+"/g, '"expiresAt":"2099-01-01T00:00:00.000Z"');
      const result = await underAttack(
        doctor,
        onDone('audit:MyActivity', (answer) => {
          assert.match(answer.result, /"expiresAt":"/);
          answer.result = extend(answer.result);
          answer.proofs = answer.proofs?.map((p) => rewriteAnswer(p, extend));
        }),
        ['inbox', '--kind', 'grant'],
      );
      refusedWith(result, 1, 'ANSWER_UNVERIFIED', /does not verify/);
    });

    it('a proposal for another function or chaincode gets no signature (SIGNING_REQUEST_MISMATCH)', async () => {
      const rewriteInvocation = (change: (spec: peer.ChaincodeSpec) => void): Tampering => ({
        response: (method, path, _status, body) => {
          if (method !== 'POST' || path !== '/api/transactions') return undefined;
          const answer = JSON.parse(body.toString()) as { stage: string; message: string };
          const proposal = peer.Proposal.deserializeBinary(Buffer.from(answer.message, 'base64'));
          const payload = peer.ChaincodeProposalPayload.deserializeBinary(proposal.getPayload_asU8());
          const invocation = peer.ChaincodeInvocationSpec.deserializeBinary(payload.getInput_asU8());
          const spec = invocation.getChaincodeSpec() ?? assert.fail('no chaincode spec');
          change(spec);
          invocation.setChaincodeSpec(spec);
          payload.setInput(invocation.serializeBinary());
          proposal.setPayload(payload.serializeBinary());
          answer.message = Buffer.from(proposal.serializeBinary()).toString('base64');
          return Buffer.from(JSON.stringify(answer));
        },
      });
      const cases: [string, Tampering, RegExp][] = [
        [
          'another function',
          rewriteInvocation((spec) => {
            const input = spec.getInput() ?? assert.fail('no input');
            input.setArgsList([Buffer.from('registry:SuspendUser'), Buffer.from(patient.userId)]);
            spec.setInput(input);
          }),
          /calls registry:SuspendUser instead of registry:GetUser/,
        ],
        [
          'another chaincode',
          rewriteInvocation((spec) => {
            const id = spec.getChaincodeId() ?? assert.fail('no chaincode id');
            id.setName('shadow');
            spec.setChaincodeId(id);
          }),
          /chaincode shadow instead of medshare/,
        ],
      ];
      for (const [what, tampering, reason] of cases) {
        const signaturesBefore = hostile.seen.filter((e) => e.path.endsWith('/signatures')).length;
        refusedWith(await underAttack(patient, tampering, ['whoami']), 1, 'SIGNING_REQUEST_MISMATCH', reason);
        assert.equal(
          hostile.seen.filter((e) => e.path.endsWith('/signatures')).length,
          signaturesBefore,
          `${what}: no signature was sent`,
        );
      }
    });
  },
);
