import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  deidentifyStudy,
  parseRouteRule,
  startDicomEdge,
  type DicomEdge,
  type EdgeEvent,
  type RoutedStudy,
} from 'medshare-gateway-app/dist/dicom-edge';
import { datasetDump, dicomValue, twoSeriesStudy } from '../support/dicom-network';

const execFileP = promisify(execFile);
const DOCTOR = 'd'.repeat(64);

/**
 * The edge's own behaviour against dcmtk's storescu, with the sender replaced by a function: what it does
 * with studies no rule routes, with sends that keep failing, and with associations it must refuse. The
 * whole path through the ledger and storage is in test/gateway/cli.test.ts.
 */
describe('DICOM edge against storescu', { timeout: 120_000 }, () => {
  let dir: string;
  let files: string[];
  const events: EdgeEvent[] = [];
  const sends: RoutedStudy[] = [];
  let failSends = false;
  let edge: DicomEdge;

  const waitFor = async (test: (e: EdgeEvent) => boolean): Promise<EdgeEvent> => {
    for (let i = 0; i < 200; i++) {
      const found = events.find(test);
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`no such event: ${JSON.stringify(events)}`);
  };
  const store = (callingAe: string, calledAe = 'EDGE') =>
    execFileP('storescu', [
      '-xs',
      '-R',
      '-aet',
      callingAe,
      '-aec',
      calledAe,
      '127.0.0.1',
      String(edge.port),
      ...files,
    ]);

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'medshare-edge-'));
    ({ files } = await twoSeriesStudy(join(dir, 'modality'), 7));
    edge = await startDicomEdge({
      aeTitle: 'EDGE',
      allowedCallingAes: new Set(['CT_ROOM_1', 'US_ROOM']),
      host: '127.0.0.1',
      port: 0,
      spoolDir: join(dir, 'spool'),
      quietMs: 500,
      routes: [parseRouteRule(`calling-ae:CT_ROOM_1=${DOCTOR}`)],
      attempts: 2,
      retryDelayMs: 100,
      onEvent: (event) => events.push(event),
      send: (study) => {
        sends.push(study);
        return failSends
          ? Promise.reject(Object.assign(new Error('the gateway is down'), { code: 'GATEWAY_UNREACHABLE' }))
          : Promise.resolve({ recordId: 'r'.repeat(20), txId: 'f'.repeat(64) });
      },
    });
  });

  after(async () => {
    await edge.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('rejects an association that calls another AE title, with a DICOM reason', async () => {
    const refused = await store('CT_ROOM_1', 'NOT_THE_EDGE').then(
      () => undefined,
      (error: unknown) => error as { stderr: string },
    );
    assert.match(refused?.stderr ?? '', /Called AE Title Not Recognized/);
    assert.deepEqual(await readdir(join(dir, 'spool', 'incoming')), [], 'nothing was spooled');
  });

  it('keeps a study no rule routes in unrouted/, and sends nothing', async () => {
    await store('US_ROOM');
    const unrouted = await waitFor((e) => e.event === 'study-unrouted');
    assert.equal(sends.length, 0);
    assert.ok(unrouted.event === 'study-unrouted');
    assert.equal((await readdir(unrouted.keptIn)).length, 5);
  });

  it('retries a failing send, then keeps the study in failed/ with the failure\u2019s code', async () => {
    failSends = true;
    await store('CT_ROOM_1');
    const failed = await waitFor((e) => e.event === 'study-send-failed' && e.keptIn !== undefined);
    assert.equal(sends.length, 2, 'two attempts');
    const [first] = sends;
    assert.equal(first?.to, DOCTOR);
    assert.equal(first.instances.length, 5);
    assert.ok(failed.event === 'study-send-failed');
    assert.equal(failed.code, 'GATEWAY_UNREACHABLE');
    assert.equal((await readdir(failed.keptIn ?? assert.fail('kept nowhere'))).length, 5);
    assert.deepEqual(await readdir(join(dir, 'spool', 'incoming')), []);
  });

  it('with --deidentify, sends a de-identified copy with one replaced study UID, and leaves the spool as it was', async () => {
    const received = files.map((path, i) => ({
      path,
      size: 0,
      studyUid: 'ignored',
      seriesUid: i < 3 ? 'a' : 'b',
      sopInstanceUid: String(i),
      callingAe: 'CT_ROOM_1',
      to: DOCTOR,
    }));
    const study = { ref: 'r', callingAe: 'CT_ROOM_1', to: DOCTOR, instances: received, series: 2, bytes: 0 };
    const copy = await deidentifyStudy(study, dir);
    try {
      const uids = new Set<string>();
      for (const instance of copy.study.instances) {
        assert.ok(!(await datasetDump(instance.path)).includes('SYNTHETIC^PATIENT'));
        assert.equal(await dicomValue(instance.path, '0012,0062'), 'YES');
        uids.add(await dicomValue(instance.path, '0020,000d'));
      }
      assert.equal(uids.size, 1, 'one study');
      assert.ok(!uids.has(await dicomValue(files[0] ?? '', '0020,000d')), 'under a new UID');
    } finally {
      await copy.remove();
    }
    assert.equal((await readdir(dir)).filter((n) => n.startsWith('deidentified-')).length, 0);
  });
});
