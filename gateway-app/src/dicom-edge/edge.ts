import { mkdir, rename, rm } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StudyCollector, type CollectedStudy } from './collector';
import { routeStudy, type RouteRule } from './routing';
import { startStoreScp, type ScpEvent } from './store-scp';

/** What the edge reports, one event a line: counts, AE titles, study references; never a patient's data. */
export type EdgeEvent =
  | ScpEvent
  | { readonly event: 'listening'; readonly aeTitle: string; readonly host: string; readonly port: number }
  | { readonly event: 'stopped' }
  | { readonly event: 'instance-received'; readonly study: string; readonly instances: number }
  | {
      readonly event: 'study-complete';
      readonly study: string;
      readonly series: number;
      readonly instances: number;
      readonly bytes: number;
    }
  | { readonly event: 'study-unrouted'; readonly study: string; readonly keptIn: string }
  | {
      readonly event: 'study-sent';
      readonly study: string;
      readonly recordId: string;
      readonly txId: string;
      readonly instances: number;
    }
  | {
      readonly event: 'study-send-failed';
      readonly study: string;
      readonly attempt: number;
      readonly code: string;
      readonly message: string;
      /** Where the study's files were moved after the last attempt; absent while retries remain. */
      readonly keptIn?: string;
    };

/** A study handed to the sender, with the recipient its rules chose. */
export interface RoutedStudy extends CollectedStudy {
  readonly to: string;
}

/** Options of {@link startDicomEdge}. */
export interface DicomEdgeOptions {
  readonly aeTitle: string;
  readonly allowedCallingAes: ReadonlySet<string>;
  readonly host: string;
  readonly port: number;
  /** The edge's working directory: `incoming/` while studies gather, `unrouted/` and `failed/` after. */
  readonly spoolDir: string;
  /** How long a study must stay quiet before it is sent. */
  readonly quietMs: number;
  readonly routes: readonly RouteRule[];
  /** Sends a study as one record; its files are deleted from the spool once it resolves. */
  readonly send: (study: RoutedStudy) => Promise<{ recordId: string; txId: string }>;
  readonly onEvent: (event: EdgeEvent) => void;
  /** Attempts per study, and the wait between them; 3 and 10 s by default. */
  readonly attempts?: number;
  readonly retryDelayMs?: number;
}

/** A running DICOM edge. */
export interface DicomEdge {
  readonly host: string;
  readonly port: number;
  /** Stops receiving, sends every study still gathering, and waits until each is sent or kept. */
  close(): Promise<void>;
}

/** Stable codes of errors that carry one; other failures are `SEND_FAILED`. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,63}$/.test(code) ? code : 'SEND_FAILED';
}

/**
 * Starts the DICOM edge: a C-STORE SCP that spools what allowed modalities and PACS send, groups it by
 * study, and once a study has been quiet for `quietMs` sends it, one study at a time, to the recipient
 * its routing rules name. A study no rule takes is moved to `unrouted/`; one that still fails after the
 * last attempt is moved to `failed/`; both are kept for the operator, never dropped. A sent study's files
 * are deleted.
 */
export async function startDicomEdge(options: DicomEdgeOptions): Promise<DicomEdge> {
  const incoming = join(options.spoolDir, 'incoming');
  await mkdir(incoming, { recursive: true, mode: 0o700 });
  const attempts = options.attempts ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 10_000;
  let queue: Promise<void> = Promise.resolve();
  let batch = 0;

  const keep = async (study: CollectedStudy, folder: 'unrouted' | 'failed'): Promise<string> => {
    batch++;
    const dir = join(options.spoolDir, folder, `${study.ref}-${String(Date.now())}-${String(batch)}`);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    for (const instance of study.instances) await rename(instance.path, join(dir, basename(instance.path)));
    return dir;
  };

  const deliver = async (study: CollectedStudy): Promise<void> => {
    const { ref, to } = study;
    if (to === undefined) {
      options.onEvent({ event: 'study-unrouted', study: ref, keptIn: await keep(study, 'unrouted') });
      return;
    }
    for (let attempt = 1; ; attempt++) {
      try {
        const sent = await options.send({ ...study, to });
        for (const instance of study.instances) await rm(instance.path, { force: true });
        options.onEvent({ event: 'study-sent', study: ref, ...sent, instances: study.instances.length });
        return;
      } catch (error) {
        const failure = { study: ref, attempt, code: codeOf(error), message: (error as Error).message };
        if (attempt >= attempts) {
          options.onEvent({ event: 'study-send-failed', ...failure, keptIn: await keep(study, 'failed') });
          return;
        }
        options.onEvent({ event: 'study-send-failed', ...failure });
        await sleep(retryDelayMs);
      }
    }
  };

  const collector = new StudyCollector(options.quietMs, (study) => {
    options.onEvent({
      event: 'study-complete',
      study: study.ref,
      series: study.series,
      instances: study.instances.length,
      bytes: study.bytes,
    });
    // One study at a time: memory and the uplink go to one record, and sends stay in arrival order.
    queue = queue.then(() => deliver(study)).catch(() => undefined);
  });

  const scp = await startStoreScp({
    aeTitle: options.aeTitle,
    allowedCallingAes: options.allowedCallingAes,
    host: options.host,
    port: options.port,
    spoolDir: incoming,
    onEvent: options.onEvent,
    onInstance: async (instance) => {
      const to = routeStudy(options.routes, { callingAe: instance.callingAe, value: instance.value });
      const added = collector.add({
        path: instance.path,
        size: instance.size,
        studyUid: instance.studyUid,
        seriesUid: instance.seriesUid,
        sopInstanceUid: instance.sopInstanceUid,
        callingAe: instance.callingAe,
        to,
      });
      if (added.replaced !== undefined) await rm(added.replaced.path, { force: true });
      options.onEvent({ event: 'instance-received', study: added.ref, instances: added.instances });
    },
  });
  options.onEvent({ event: 'listening', aeTitle: options.aeTitle, host: scp.host, port: scp.port });

  return {
    host: scp.host,
    port: scp.port,
    close: async () => {
      await scp.close();
      collector.flush();
      await queue;
      options.onEvent({ event: 'stopped' });
    },
  };
}
